using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Monitoring.Web.Logs;

/// <summary>Reads compact log event format (CLEF) files, one JSON object per line, as Serilog's
/// <c>RenderedCompactJsonFormatter</c> (or <c>CompactJsonFormatter</c>) writes them.</summary>
internal static class ClefFile
{
    /// <summary>The entries of one file in file order, streamed line by line. The file may be growing: it is
    /// shared with the writer, and a line it has only half written is passed over.</summary>
    public static async IAsyncEnumerable<LogEntry> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            // Rolled away or archived between listing the folder and opening it: nothing left to read.
            yield break;
        }

        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (TryParse(line) is { } entry)
            {
                yield return entry;
            }
        }
    }

    /// <summary>One line; null for a blank, partial or foreign line (no <c>@t</c>).</summary>
    public static LogEntry? TryParse(string line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            // The writer's last line may be incomplete while it is being written; the next search sees it whole.
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("@t", out var time) || time.ValueKind != JsonValueKind.String || !time.TryGetDateTimeOffset(out var at))
            {
                return null;
            }

            return new LogEntry(
                at,
                Text(root, "@l") ?? "Information",
                Text(root, "SourceContext") ?? "",
                Text(root, "@m") ?? Text(root, "@mt") ?? "",
                Text(root, "@x"),
                root.TryGetProperty(LogEntry.SequenceProperty, out var sequence) && sequence.ValueKind == JsonValueKind.Number && sequence.TryGetInt64(out var number)
                    ? number
                    : 0);
        }
    }

    private static string? Text(JsonElement root, string property) =>
        root.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
