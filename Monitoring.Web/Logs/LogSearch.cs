namespace Monitoring.Web.Logs;

/// <param name="Entries">Newest first.</param>
/// <param name="LimitReached">The result was cut at the limit: older matches may exist (narrow the time range).</param>
public sealed record LogSearchResult(IReadOnlyList<LogEntry> Entries, bool LimitReached);

/// <summary>Searches the in-memory buffer and the plain log files together; an event found in both appears once.
/// Compressed archives (<c>logs/archive</c>) are not searched.</summary>
public sealed class LogSearch(LogRingBuffer buffer, LogFolder folder)
{
    public async Task<LogSearchResult> SearchAsync(LogQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var recent = buffer.Query(query);
        var stored = await SearchFilesAsync(query, cancellationToken);

        // Either source alone holds its own newest `Limit` matches, so the newest `Limit` of the union are among them.
        var seen = new HashSet<(long, long)>();
        var merged = recent.Concat(stored)
            .Where(e => e.Sequence == 0 || seen.Add((e.At.UtcTicks, e.Sequence)))
            .OrderByDescending(e => e.At)
            .ThenByDescending(e => e.Sequence)
            .ToList();
        return new LogSearchResult(merged.Take(query.Limit).ToList(), merged.Count >= query.Limit);
    }

    /// <summary>The newest <see cref="LogQuery.Limit"/> matches in the files, newest first. Holds at most that many
    /// entries however large the files are.</summary>
    internal async Task<IReadOnlyList<LogEntry>> SearchFilesAsync(LogQuery query, CancellationToken cancellationToken)
    {
        // A min-heap on time: the root is the oldest kept match, the one a newer match replaces.
        var newest = new PriorityQueue<LogEntry, (long Ticks, long Sequence)>();
        var files = folder.Files()
            .Where(f => MayOverlap(f, query))
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .ToList();
        foreach (var file in files)
        {
            // Every event in a file was written by its last write time; once the heap is full of newer ones, this
            // file and every file written before it have nothing to add.
            if (newest.Count >= query.Limit && newest.Peek().At > file.LastWriteTimeUtc)
            {
                break;
            }

            await foreach (var entry in ClefFile.ReadAsync(file.FullName, cancellationToken))
            {
                if (!query.Matches(entry))
                {
                    continue;
                }

                newest.Enqueue(entry, (entry.At.UtcTicks, entry.Sequence));
                if (newest.Count > query.Limit)
                {
                    newest.Dequeue();
                }
            }
        }

        var result = new LogEntry[newest.Count];
        for (var i = result.Length - 1; i >= 0; i--)
        {
            result[i] = newest.Dequeue();
        }

        return result;
    }

    /// <summary>A rolled file holds one local day; a day either side covers any time zone.</summary>
    private static bool MayOverlap(FileInfo file, LogQuery query)
    {
        if (query.From is { } from && file.LastWriteTimeUtc < from.UtcDateTime)
        {
            return false;
        }

        if (LogFolder.DayOf(file.Name) is not { } day)
        {
            return true;
        }

        var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(-1);
        return query.To is null || start < query.To;
    }
}
