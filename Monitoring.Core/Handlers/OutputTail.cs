using System.Text;

namespace Monitoring.Core.Handlers;

/// <summary>The last lines of a process's output, bounded by a line count and a UTF-8 size. Not thread-safe.</summary>
internal sealed class OutputTail(int maxLines, int maxBytes)
{
    private readonly Queue<(string Line, int Bytes)> _lines = new();
    private int _bytes;

    public int Count => _lines.Count;

    public void Add(string line)
    {
        // A single line longer than the whole budget keeps its end, where a message usually says what failed.
        var bytes = Encoding.UTF8.GetByteCount(line);
        if (bytes > maxBytes)
        {
            line = KeepEnd(line, maxBytes);
            bytes = Encoding.UTF8.GetByteCount(line);
        }
        _lines.Enqueue((line, bytes));
        _bytes += bytes;
        // Each line but the last is followed by '\n' when joined.
        while (_lines.Count > maxLines || _bytes + _lines.Count - 1 > maxBytes)
        {
            _bytes -= _lines.Dequeue().Bytes;
        }
    }

    public override string ToString() => string.Join('\n', _lines.Select(l => l.Line));

    private static string KeepEnd(string line, int maxBytes)
    {
        const string Marker = "…";
        var budget = maxBytes - Encoding.UTF8.GetByteCount(Marker);
        var start = line.Length;
        var used = 0;
        while (start > 0)
        {
            // Step over a whole surrogate pair so the kept text stays valid UTF-16.
            var width = start >= 2 && char.IsLowSurrogate(line[start - 1]) && char.IsHighSurrogate(line[start - 2]) ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(line.AsSpan(start - width, width));
            if (used + size > budget)
            {
                break;
            }
            used += size;
            start -= width;
        }
        return Marker + line[start..];
    }
}
