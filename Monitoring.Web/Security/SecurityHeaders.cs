namespace Monitoring.Web.Security;

/// <summary>Response headers every page and API answer carries.</summary>
public static class SecurityHeaders
{
    /// <summary>What Blazor Server and the chart library need and nothing more: scripts and styles from this
    /// origin (MudBlazor and the charts set inline styles; Blazor needs no eval), the circuit's WebSocket to
    /// this origin, images from this origin and data: URLs (chart exports), and no framing by anyone.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            await next();
        });
}
