using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Monitoring.Core.Metrics;
using Monitoring.Web.Monitor;
using Monitoring.Web.Api;

namespace Monitoring.Web.MetricHistory;

/// <summary>A parsed <c>GET /api/v1/metrics</c> request.</summary>
public sealed record MetricSeriesRequest(string Name, string? Labels, DateTimeOffset From, DateTimeOffset To, TimeSpan Step);

/// <summary>The parameters of <c>GET /api/v1/metrics</c>, bound as text so every bad value gets a 400 that names its field.</summary>
public sealed class MetricSeriesQuery
{
    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(1);

    /// <summary>A metric name, e.g. <c>monitoring_gpu_memory_used_bytes</c>.</summary>
    [FromQuery(Name = "name")] public string? Name { get; init; }
    /// <summary>Start (ISO 8601); default: an hour before <c>to</c>.</summary>
    [FromQuery(Name = "from")] public string? From { get; init; }
    /// <summary>End, exclusive (ISO 8601); default: now.</summary>
    [FromQuery(Name = "to")] public string? To { get; init; }
    /// <summary>Bucket width: 10s, 1m, 5m, 1h, 1d or seconds, at least 1 s; default: a round step giving at most 360 points.</summary>
    [FromQuery(Name = "step")] public string? Step { get; init; }
    /// <summary>Only the series with exactly these labels, e.g. <c>uuid=GPU-…</c> (pairs joined by commas).</summary>
    [FromQuery(Name = "labels")] public string? Labels { get; init; }

    public bool TryParse(DateTimeOffset now, out MetricSeriesRequest request, out Dictionary<string, string[]> errors)
    {
        errors = [];
        var name = Name?.Trim() ?? "";
        if (name.Length == 0)
        {
            errors["name"] = ["name is required, e.g. monitoring_gpu_memory_used_bytes."];
        }

        var to = QueryFields.Time(To, "to", errors) ?? now;
        var from = QueryFields.Time(From, "from", errors) ?? to - DefaultRange;
        if (!errors.ContainsKey("from") && !errors.ContainsKey("to") && from >= to)
        {
            errors["from"] = ["from must be before to."];
        }

        var step = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(Step))
        {
            step = from < to ? MetricStore.ChooseStep(from, to) : MetricStore.RollupStep;
        }
        else if (!MonitorApi.TryParseWindow(Step, out step) || step < MetricStore.MinStep)
        {
            errors["step"] = ["step must be a duration such as 10s, 1m, 5m, 1h or 1d, from 1 s to 7 days."];
        }

        string? labels = null;
        if (!string.IsNullOrWhiteSpace(Labels))
        {
            if (MetricLabels.TryNormalize(Labels, out var canonical))
            {
                labels = canonical;
            }
            else
            {
                errors["labels"] = ["labels must be key=value pairs joined by commas, e.g. uuid=GPU-1234."];
            }
        }

        request = new MetricSeriesRequest(name, labels, from, to, step);
        return errors.Count == 0;
    }
}
