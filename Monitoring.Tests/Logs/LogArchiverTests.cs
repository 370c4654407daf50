using System.IO.Compression;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Tests.Handlers;
using Monitoring.Tests.Support;
using Monitoring.Web.Logs;

namespace Monitoring.Tests.Logs;

public sealed class LogArchiverTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _data = new();
    private readonly FakeTimeProvider _clock = new(Now);
    private readonly LogFolder _folder;
    private readonly LogArchiver _archiver;

    public LogArchiverTests()
    {
        _folder = new LogFolder(Path.Combine(_data.Path, "logs"));
        Directory.CreateDirectory(_folder.ArchivePath);
        _archiver = new LogArchiver(_folder, new FixedOptions<LoggingOptions>(new LoggingOptions { ArchiveDays = 90 }),
            new FixedOptions<LogRetentionOptions>(new LogRetentionOptions { LogDays = 14 }), _clock, NullLogger<LogArchiver>.Instance);
    }

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Files_past_the_log_days_are_compressed_into_the_archive_and_removed()
    {
        var old = PlainFile("monitoring-20261101.clef", Now.AddDays(-21), "{\"@t\":\"2026-11-01T10:00:00.0000000Z\",\"@m\":\"old\"}\n");
        var oldRolled = PlainFile("monitoring-20261101_001.clef", Now.AddDays(-20), "{\"@t\":\"2026-11-02T00:00:00.0000000Z\",\"@m\":\"rolled\"}\n");
        var recent = PlainFile("monitoring-20261115.clef", Now.AddDays(-7), "recent\n");

        var archived = await _archiver.ArchiveAsync(CancellationToken.None);

        Assert.Equal(2, archived);
        Assert.False(File.Exists(old.Path));
        Assert.False(File.Exists(oldRolled.Path));
        Assert.True(File.Exists(recent.Path));
        Assert.Equal(old.Content, Decompress(Path.Combine(_folder.ArchivePath, "monitoring-20261101.clef.gz")));
        Assert.Equal(oldRolled.Content, Decompress(Path.Combine(_folder.ArchivePath, "monitoring-20261101_001.clef.gz")));
        Assert.Equal(Now.AddDays(-21).UtcDateTime, File.GetLastWriteTimeUtc(Path.Combine(_folder.ArchivePath, "monitoring-20261101.clef.gz")));
    }

    [Fact]
    public async Task Todays_file_is_never_touched_however_old_it_looks()
    {
        var today = PlainFile("monitoring-20261122.clef", Now.AddDays(-30), "being written\n");
        var todayRolled = PlainFile("monitoring-20261122_002.clef", Now.AddDays(-30), "also today\n");

        var archived = await _archiver.ArchiveAsync(CancellationToken.None);

        Assert.Equal(0, archived);
        Assert.Equal(today.Content, await File.ReadAllTextAsync(today.Path));
        Assert.Equal(todayRolled.Content, await File.ReadAllTextAsync(todayRolled.Path));
        Assert.Empty(Directory.GetFiles(_folder.ArchivePath));
    }

    [Fact]
    public async Task Archives_past_the_archive_days_are_deleted_and_younger_ones_kept()
    {
        var expired = ArchiveFile("monitoring-20260801.clef.gz", Now.AddDays(-91));
        var kept = ArchiveFile("monitoring-20261001.clef.gz", Now.AddDays(-52));

        await _archiver.ArchiveAsync(CancellationToken.None);

        Assert.False(File.Exists(expired));
        Assert.True(File.Exists(kept));
    }

    [Fact]
    public async Task As_the_clock_moves_on_a_file_is_archived_once_it_is_old_enough()
    {
        var file = PlainFile("monitoring-20261115.clef", Now.AddDays(-7), "line\n");

        Assert.Equal(0, await _archiver.ArchiveAsync(CancellationToken.None));
        _clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await _archiver.ArchiveAsync(CancellationToken.None));

        Assert.False(File.Exists(file.Path));
        Assert.Equal("line\n", Decompress(Path.Combine(_folder.ArchivePath, "monitoring-20261115.clef.gz")));
    }

    [Fact]
    public async Task Without_a_logs_folder_there_is_nothing_to_do()
    {
        var archiver = new LogArchiver(new LogFolder(Path.Combine(_data.Path, "absent")), new FixedOptions<LoggingOptions>(new LoggingOptions()),
            new FixedOptions<LogRetentionOptions>(new LogRetentionOptions()), _clock, NullLogger<LogArchiver>.Instance);

        Assert.Equal(0, await archiver.ArchiveAsync(CancellationToken.None));
    }

    private (string Path, string Content) PlainFile(string name, DateTimeOffset lastWrite, string content)
    {
        var path = Path.Combine(_folder.Path, name);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, lastWrite.UtcDateTime);
        return (path, content);
    }

    private string ArchiveFile(string name, DateTimeOffset lastWrite)
    {
        var path = Path.Combine(_folder.ArchivePath, name);
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            gzip.Write("{}\n"u8);
        }

        File.SetLastWriteTimeUtc(path, lastWrite.UtcDateTime);
        return path;
    }

    private static string Decompress(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd();
    }
}
