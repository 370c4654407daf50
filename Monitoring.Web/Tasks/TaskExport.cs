using System.Globalization;
using System.Text;
using System.Text.Json;
using Monitoring.Core;
using Monitoring.Core.Tasks;

namespace Monitoring.Web.Tasks;

/// <summary>Streams an export row by row, so memory stays flat however many tasks match.</summary>
public sealed class TaskExport(TaskReader reader, TaskFilter filter, string format, DateTimeOffset at) : IResult
{
    private static readonly string[] Columns =
    [
        "id", "type", "priority", "status", "attempt", "maxAttempts", "source", "createdAt", "startedAt", "finishedAt",
        "durationMs", "queueWaitMs", "workerId", "gpuUuid", "failureKind", "error", "parameters",
    ];

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        var name = $"tasks-{at.UtcDateTime:yyyyMMdd-HHmmss}.{format}";
        response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
        var rows = reader.StreamAsync(filter, cancellationToken);
        if (format == "json")
        {
            response.ContentType = "application/json; charset=utf-8";
            // Over the pipe, not the stream: the serializer's own flush then only hands bytes to the
            // pipe, and the asynchronous pipe flush below does the I/O (Kestrel forbids synchronous writes).
            var pipe = response.BodyWriter;
            await using var json = new Utf8JsonWriter(pipe);
            json.WriteStartArray();
            var n = 0;
            await foreach (var task in rows)
            {
                JsonSerializer.Serialize(json, TaskDetail.From(task), MonitoringJson.Options);
                if (++n % 200 == 0)
                {
                    json.Flush();
                    await pipe.FlushAsync(cancellationToken);
                }
            }

            json.WriteEndArray();
            json.Flush();
            await pipe.FlushAsync(cancellationToken);
            return;
        }

        response.ContentType = "text/csv; charset=utf-8";
        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), bufferSize: 16 * 1024);
        await writer.WriteLineAsync(string.Join(',', Columns));
        await foreach (var t in rows)
        {
            await writer.WriteLineAsync(string.Join(',',
                Csv(t.Id), Csv(t.Type), Csv(t.Priority), Csv(t.Status), Csv(t.Attempt), Csv(t.MaxAttempts), Csv(t.Source),
                Csv(t.CreatedAt), Csv(t.StartedAt), Csv(t.FinishedAt), Csv(t.DurationMs), Csv(t.QueueWaitMs), Csv(t.WorkerId),
                Csv(t.GpuUuid), Csv(t.FailureKind), Csv(t.Error), Csv(t.Parameters)));
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>RFC 4180 quoting; a leading formula character is prefixed so spreadsheets do not run it.</summary>
    public static string Csv(object? value)
    {
        var text = value switch
        {
            null => "",
            DateTimeOffset d => d.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' && value is string)
        {
            text = "'" + text;
        }

        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
