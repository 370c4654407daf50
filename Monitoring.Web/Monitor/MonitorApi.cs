using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Monitoring.Core.Tasks;
using Monitoring.Web.Api;
using Monitoring.Web.Security;

namespace Monitoring.Web.Monitor;

public static class MonitorApi
{
    public static IEndpointRouteBuilder MapMonitorApi(this IEndpointRouteBuilder routes)
    {
        var monitor = routes.MapGroup("/api/v1/monitor").WithTags("Monitor").RequireAuthorization(Roles.ViewPolicy);
        monitor.MapGet("/stats", Stats).WithName("QueueStats")
            .WithSummary("Counts by status, priority and type; success rate all-time and over a window; p50/p95/p99 per type.");
        return routes;
    }

    /// <param name="window">How far back the window reaches: 15m, 1h (default), 24h, 7d, or seconds.</param>
    public static async Task<Results<Ok<TaskStats>, ValidationProblem>> Stats(string? window, TaskStatistics statistics, CancellationToken cancellationToken)
    {
        if (!TryParseWindow(window, out var span))
        {
            return ApiProblems.Invalid("window", $"window must be a duration such as 15m, 1h, 24h or 7d, at most {TaskStatistics.MaxWindow.TotalDays:0} days.");
        }

        return TypedResults.Ok(await statistics.GetAsync(span, cancellationToken));
    }

    internal static bool TryParseWindow(string? text, out TimeSpan window)
    {
        window = TimeSpan.FromHours(1);
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        text = text.Trim();
        var unit = char.ToLowerInvariant(text[^1]);
        var (number, scale) = unit switch
        {
            's' => (text[..^1], 1d),
            'm' => (text[..^1], 60d),
            'h' => (text[..^1], 3600d),
            'd' => (text[..^1], 86400d),
            _ => (text, 1d),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value <= 0)
        {
            return false;
        }

        var seconds = value * scale;
        if (seconds > TaskStatistics.MaxWindow.TotalSeconds)
        {
            return false;
        }

        window = TimeSpan.FromSeconds(seconds);
        return true;
    }
}
