using System.Globalization;
using System.Text.Json;
using Monitoring.Web.Logs;

namespace Monitoring.Tests.Logs;

/// <summary>Writes log files by hand in the exact shape Serilog's <c>RenderedCompactJsonFormatter</c> gives them.</summary>
internal static class ClefLines
{
    public static readonly DateTimeOffset Noon = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    public static LogEntry Entry(DateTimeOffset at, string message, string level = "Information", string source = "Monitoring.Core.Scheduling.GpuScheduler",
        string? exception = null, long sequence = 0) => new(at, level, source, message, exception, sequence);

    public static string Line(LogEntry entry)
    {
        var fields = new Dictionary<string, object>
        {
            ["@t"] = entry.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["@m"] = entry.Message,
            ["@i"] = "0f3c2a1b",
        };
        // Information is the format's default level and is not written.
        if (entry.Level != "Information")
        {
            fields["@l"] = entry.Level;
        }

        if (entry.Exception is not null)
        {
            fields["@x"] = entry.Exception;
        }

        fields["SourceContext"] = entry.Source;
        if (entry.Sequence != 0)
        {
            fields[LogEntry.SequenceProperty] = entry.Sequence;
        }

        return JsonSerializer.Serialize(fields);
    }

    /// <summary>Writes <c>logs/monitoring-yyyyMMdd.clef</c> (named by the first entry's day unless <paramref name="fileName"/> is given).</summary>
    public static string Write(string logsPath, IEnumerable<LogEntry> entries, string? fileName = null)
    {
        var list = entries.ToList();
        Directory.CreateDirectory(logsPath);
        var path = Path.Combine(logsPath, fileName ?? $"monitoring-{list[0].At:yyyyMMdd}.clef");
        File.AppendAllLines(path, list.Select(Line));
        // As a real writer leaves it: written last when its newest event was.
        File.SetLastWriteTimeUtc(path, list.Max(e => e.At).UtcDateTime);
        return path;
    }
}
