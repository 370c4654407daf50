using System.IO.Compression;
using Microsoft.Extensions.Options;

namespace Monitoring.Web.Logs;

/// <summary>Log retention (SPEC §10): plain files not written for <c>Retention:LogDays</c> are gzip-compressed into
/// <c>logs/archive/&lt;name&gt;.gz</c>, and archives older than <c>Logs:ArchiveDays</c> are deleted. Run by the hourly
/// retention job; safe to run again after a crash half-way (an archive is written aside and then moved in place).</summary>
public sealed class LogArchiver(
    LogFolder folder, IOptionsMonitor<LoggingOptions> options, IOptionsMonitor<LogRetentionOptions> retention,
    TimeProvider clock, ILogger<LogArchiver> logger)
{
    public const string ArchiveExtension = ".gz";

    /// <summary>Returns how many files it archived.</summary>
    public async Task<int> ArchiveAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        // Serilog names files by the local date; the file of that date may still be written to, however old it looks.
        var today = DateOnly.FromDateTime(clock.GetLocalNow().DateTime);
        var archiveBefore = now.AddDays(-retention.CurrentValue.LogDays).UtcDateTime;

        var archived = 0;
        foreach (var file in folder.Files().ToList())
        {
            if (file.LastWriteTimeUtc >= archiveBefore || LogFolder.DayOf(file.Name) >= today)
            {
                continue;
            }

            await CompressAsync(file, cancellationToken);
            archived++;
        }

        var deleted = DeleteOldArchives(now.AddDays(-options.CurrentValue.ArchiveDays).UtcDateTime);
        if (archived > 0 || deleted > 0)
        {
            logger.LogInformation("Log retention archived {Archived} file(s) and deleted {Deleted} old archive(s)", archived, deleted);
        }

        return archived;
    }

    private async Task CompressAsync(FileInfo file, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder.ArchivePath);
        var target = Path.Combine(folder.ArchivePath, file.Name + ArchiveExtension);
        var partial = target + ".partial";
        var lastWrite = file.LastWriteTimeUtc;
        await using (var source = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024, FileOptions.Asynchronous))
        await using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
        await using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            await source.CopyToAsync(gzip, cancellationToken);
        }

        // The archive keeps the content's age, so Logs:ArchiveDays counts from when the lines were written.
        File.SetLastWriteTimeUtc(partial, lastWrite);
        File.Move(partial, target, overwrite: true);
        file.Delete();
    }

    private int DeleteOldArchives(DateTime deleteBefore)
    {
        if (!Directory.Exists(folder.ArchivePath))
        {
            return 0;
        }

        var deleted = 0;
        foreach (var archive in new DirectoryInfo(folder.ArchivePath).EnumerateFiles("*" + ArchiveExtension).ToList())
        {
            if (archive.LastWriteTimeUtc < deleteBefore)
            {
                archive.Delete();
                deleted++;
            }
        }

        return deleted;
    }
}
