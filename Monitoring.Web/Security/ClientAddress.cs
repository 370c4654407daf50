using System.Net;

namespace Monitoring.Web.Security;

/// <summary>The browser's address as the circuit's first request saw it, cascaded to every page so console
/// actions are audited with it like API calls are.</summary>
public sealed record ClientAddress(string? Address)
{
    /// <summary>Whether the caller sits on this machine: the one rule behind <c>Auth:Mode=None</c> and the anonymous
    /// <c>/metrics</c>. A request that was forwarded at all never is, whatever its socket peer: a reverse proxy on
    /// this machine connects over loopback on behalf of anyone.</summary>
    /// <remarks>The forwarded-headers middleware moves the headers it honoured to <c>X-Original-*</c>, so those count
    /// too. A null remote address means no TCP peer: the in-process test server or a Unix socket.</remarks>
    public static bool IsLoopbackCaller(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Request.Headers;
        if (headers.ContainsKey("X-Forwarded-For") || headers.ContainsKey("X-Original-For") || headers.ContainsKey("Forwarded"))
        {
            return false;
        }

        return context.Connection.RemoteIpAddress is not { } remote || IPAddress.IsLoopback(remote);
    }
}
