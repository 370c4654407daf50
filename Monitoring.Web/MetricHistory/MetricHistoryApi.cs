using Microsoft.AspNetCore.Http.HttpResults;
using Monitoring.Core.Metrics;
using Monitoring.Core.Tasks;
using Monitoring.Web.Api;
using Monitoring.Web.Monitor;
using Monitoring.Web.Security;

namespace Monitoring.Web.MetricHistory;

/// <param name="Stats">The statistics over the window, as <c>/api/v1/monitor/stats</c> gives them.</param>
/// <param name="Step">Width of each point of the series (at least a minute; at most about 360 points).</param>
public sealed record PerformanceHistory(
    TaskStats Stats,
    TimeSpan Step,
    IReadOnlyList<MetricBucket> CompletedPerMinute,
    IReadOnlyList<MetricBucket> FailedPerMinute,
    IReadOnlyList<MetricBucket> Queued,
    IReadOnlyList<MetricBucket> SuccessRatio);

public static class MetricHistoryApi
{
    public static IEndpointRouteBuilder MapMetricHistoryApi(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        routes.MapGet("/api/v1/metrics", QueryMetrics)
            .WithTags("Metrics")
            .WithName("QueryMetrics")
            .WithSummary("History of one metric: per series (labels), min/avg/max per step, from raw samples (last 24 h) or 1-minute roll-ups (30 days).")
            .RequireAuthorization(Roles.ViewPolicy);
        routes.MapGet("/api/v1/monitor/performance", Performance)
            .WithTags("Monitor")
            .WithName("PerformanceHistory")
            .WithSummary("Queue statistics over a window (1h, 24h, 7d) with the history of completions and failures per minute, queue depth and success ratio.")
            .RequireAuthorization(Roles.ViewPolicy);
        return routes;
    }

    public static async Task<Results<Ok<MetricSeriesResult>, ValidationProblem>> QueryMetrics(
        [AsParameters] MetricSeriesQuery query, MetricStore store, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var valid = query.TryParse(clock.GetUtcNow(), out var request, out var errors);
        if (request.Name.Length > 0 && !MetricNames.All.Contains(request.Name, StringComparer.Ordinal))
        {
            var names = await store.GetNamesAsync(cancellationToken);
            if (!names.Contains(request.Name, StringComparer.Ordinal))
            {
                errors["name"] = [$"'{request.Name}' is not a recorded metric; use one of {string.Join(", ", names)}."];
                valid = false;
            }
        }

        if (!valid)
        {
            return ApiProblems.Invalid(errors);
        }

        try
        {
            return TypedResults.Ok(await store.QueryAsync(request.Name, request.Labels, request.From, request.To, request.Step, cancellationToken));
        }
        catch (MetricQueryTooLargeException ex)
        {
            return ApiProblems.Invalid("step", ex.Message);
        }
    }

    /// <param name="window">How far back: 1h (default), 24h, 7d, or another duration up to 7 days.</param>
    public static async Task<Results<Ok<PerformanceHistory>, ValidationProblem>> Performance(
        string? window, TaskStatistics statistics, MetricStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(store);
        if (!MonitorApi.TryParseWindow(window, out var span))
        {
            return ApiProblems.Invalid("window", $"window must be a duration such as 1h, 24h or 7d, at most {TaskStatistics.MaxWindow.TotalDays:0} days.");
        }

        return TypedResults.Ok(await LoadPerformanceAsync(statistics, store, span, cancellationToken));
    }

    /// <summary>The window's statistics and its per-minute history, for this API and the Performance page.</summary>
    public static async Task<PerformanceHistory> LoadPerformanceAsync(TaskStatistics statistics, MetricStore store, TimeSpan span, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentNullException.ThrowIfNull(store);
        var stats = await statistics.GetAsync(span, cancellationToken);
        var to = stats.At;
        var from = to - span;
        // Whole minutes (the roll-up grain), about DefaultPoints of them: 1 min for 1h, 4 min for 24h, 28 min for 7d.
        var step = TimeSpan.FromMinutes(Math.Max(1, Math.Ceiling(span.TotalMinutes / MetricStore.DefaultPoints)));

        async Task<IReadOnlyList<MetricBucket>> History(string name) =>
            (await store.QueryAsync(name, MetricLabels.None, from, to, step, cancellationToken)).Series.SingleOrDefault()?.Points ?? [];

        return new PerformanceHistory(
            stats,
            step,
            await History(MetricNames.TasksCompletedPerMinute),
            await History(MetricNames.TasksFailedPerMinute),
            await History(MetricNames.TasksQueued),
            await History(MetricNames.TasksSuccessRatio));
    }
}
