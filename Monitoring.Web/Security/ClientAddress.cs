using System.Net;

namespace Monitoring.Web.Security;

/// <summary>The browser's address as the circuit's first request saw it, cascaded to every page so console
/// actions are audited with it like API calls are.</summary>
public sealed record ClientAddress(string? Address)
{
    // What proxies add: the standard and de-facto client headers (nginx's X-Real-IP among them), Via, and the
    // X-Original-* copies the forwarded-headers middleware leaves behind.
    private static readonly string[] ProxyHeaders =
    [
        "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP", "Via",
        "X-Original-For", "X-Original-Host", "X-Original-Proto",
    ];

    /// <summary>Whether the caller sits on this machine: the one rule behind <c>Auth:Mode=None</c> and the anonymous
    /// <c>/metrics</c>. A request that was forwarded at all never is, whatever its socket peer: a reverse proxy on
    /// this machine connects over loopback on behalf of anyone.</summary>
    /// <remarks>The forwarded-headers middleware moves the headers it honoured to <c>X-Original-*</c>, so those count
    /// too. A null remote address means no TCP peer: the in-process test server or a Unix socket.</remarks>
    public static bool IsLoopbackCaller(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Request.Headers;
        if (ProxyHeaders.Any(headers.ContainsKey))
        {
            return false;
        }

        return context.Connection.RemoteIpAddress is not { } remote || IPAddress.IsLoopback(remote);
    }
}
