using System.Diagnostics;
using System.Globalization;

namespace Monitoring.Web.Metrics;

/// <summary>Counts each request and records its latency, labelled with method, route template and status code:
/// <c>monitoring_http_requests_total</c> and <c>monitoring_http_request_duration_seconds</c>.</summary>
/// <remarks>The route is the matched endpoint's template (<c>/api/v1/tasks/{id:long}</c>), never the raw path,
/// so a series per task id cannot arise; a request no endpoint matched is <c>unmatched</c>. WebSocket sessions
/// (the Blazor circuit) are counted but not timed: they last as long as the browser tab.</remarks>
internal sealed class HttpMetricsMiddleware(RequestDelegate next, MonitoringMeters meters, HttpRequestWindow window)
{
    private static readonly HashSet<string> s_knownMethods = new(StringComparer.OrdinalIgnoreCase)
    {
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE",
    };

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = false;
        // WebSocket sessions (the Blazor circuit) upgrade the connection; their frames are not a response body.
        var body = context.WebSockets.IsWebSocketRequest ? null : context.Response.Body;
        var counted = body is null ? null : new ByteCountingStream(body);
        if (counted is not null)
        {
            context.Response.Body = counted;
        }

        try
        {
            await next(context);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            if (counted is not null)
            {
                context.Response.Body = body!;
                meters.HttpSent.Add(counted.Written);
                meters.HttpReceived.Add(Math.Max(0, context.Request.ContentLength ?? 0));
            }

            Record(context, failed, Stopwatch.GetElapsedTime(started));
        }
    }

    private void Record(HttpContext context, bool failed, TimeSpan elapsed)
    {
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
        // An unknown verb would be a series per made-up method.
        var method = s_knownMethods.Contains(context.Request.Method) ? context.Request.Method.ToUpperInvariant() : "OTHER";
        // An exception that escaped the pipeline becomes a 500 at the server, whatever the response said so far.
        var status = failed && !context.Response.HasStarted ? 500 : context.Response.StatusCode;
        var tags = new TagList
        {
            { "method", method },
            { "route", route },
            { "status", status.ToString(CultureInfo.InvariantCulture) },
        };
        meters.HttpRequests.Add(1, tags);
        if (!context.WebSockets.IsWebSocketRequest)
        {
            meters.HttpRequestDuration.Record(elapsed.TotalSeconds, tags);
            window.Record(elapsed, status);
        }
    }
}
