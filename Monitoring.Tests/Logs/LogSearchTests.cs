using System.IO.Compression;
using Monitoring.Tests.Support;
using Monitoring.Web.Logs;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;
using static Monitoring.Tests.Logs.ClefLines;

namespace Monitoring.Tests.Logs;

public sealed class LogSearchTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly LogFolder _folder;
    private readonly LogRingBuffer _buffer = new();
    private readonly LogSearch _search;

    public LogSearchTests()
    {
        _folder = new LogFolder(Path.Combine(_data.Path, "logs"));
        _search = new LogSearch(_buffer, _folder);
    }

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Buffer_and_files_merge_newest_first_and_an_event_in_both_appears_once()
    {
        var yesterday = Noon.AddDays(-1);
        Write(_folder.Path, [Entry(yesterday, "from yesterday's file", sequence: 1), Entry(yesterday.AddMinutes(1), "also yesterday", sequence: 2)]);
        var inBoth = Entry(Noon, "in the file and the buffer", sequence: 7);
        Write(_folder.Path, [Entry(Noon.AddSeconds(-1), "only in today's file", sequence: 6), inBoth]);
        _buffer.Add(inBoth);
        _buffer.Add(Entry(Noon.AddSeconds(1), "only in the buffer", sequence: 8));

        var result = await _search.SearchAsync(LogQuery.All);

        Assert.Equal(
            ["only in the buffer", "in the file and the buffer", "only in today's file", "also yesterday", "from yesterday's file"],
            result.Entries.Select(e => e.Message));
        Assert.False(result.LimitReached);
    }

    [Fact]
    public async Task An_event_of_an_earlier_run_with_the_same_sequence_number_is_not_taken_for_a_repeat()
    {
        Write(_folder.Path, [Entry(Noon.AddHours(-1), "before the restart", sequence: 1)]);
        _buffer.Add(Entry(Noon, "after the restart", sequence: 1));

        var result = await _search.SearchAsync(LogQuery.All);

        Assert.Equal(["after the restart", "before the restart"], result.Entries.Select(e => e.Message));
    }

    [Fact]
    public async Task Files_are_filtered_by_level_source_text_and_time()
    {
        Write(_folder.Path,
        [
            Entry(Noon.AddMinutes(1), "GPU 0 placed", "Information", "Monitoring.Core.Scheduling.GpuScheduler", sequence: 1),
            Entry(Noon.AddMinutes(2), "Task failed", "Error", "Monitoring.Core.Workers.WorkerPool", "System.TimeoutException: gpu hung\n   at Worker.Run()", 2),
            Entry(Noon.AddMinutes(3), "GPU 1 hot", "Warning", "Monitoring.Gpu.GpuInventory", sequence: 3),
            Entry(Noon.AddMinutes(4), "lease renewed", "Verbose", "Monitoring.Core.Scheduling.SchedulerLease", sequence: 4),
        ]);

        Assert.Equal(new long[] { 3, 2 }, await Sequences(new LogQuery { MinimumLevel = LogEventLevel.Warning }));
        Assert.Equal(new long[] { 4, 1 }, await Sequences(new LogQuery { Source = "MONITORING.core.Scheduling" }));
        Assert.Equal(new long[] { 3, 2, 1 }, await Sequences(new LogQuery { Search = "gpu" }));
        Assert.Equal(new long[] { 2 }, await Sequences(new LogQuery { Search = "at worker.run" }));
        Assert.Equal(new long[] { 3, 2 }, await Sequences(new LogQuery { From = Noon.AddMinutes(2), To = Noon.AddMinutes(4) }));
    }

    [Fact]
    public async Task The_limit_keeps_the_newest_matches_across_files_and_says_it_was_reached()
    {
        Write(_folder.Path, Enumerable.Range(1, 50).Select(i => Entry(Noon.AddDays(-1).AddMinutes(i), $"old {i}", sequence: i)));
        Write(_folder.Path, Enumerable.Range(1, 2).Select(i => Entry(Noon.AddMinutes(i), $"new {i}", sequence: 100 + i)));

        var result = await _search.SearchAsync(new LogQuery { Limit = 4 });

        Assert.Equal(["new 2", "new 1", "old 50", "old 49"], result.Entries.Select(e => e.Message));
        Assert.True(result.LimitReached);
    }

    [Fact]
    public async Task A_half_written_last_line_and_foreign_lines_are_passed_over()
    {
        var path = Write(_folder.Path, [Entry(Noon, "whole", sequence: 1)]);
        await File.AppendAllTextAsync(path, "not json\n{\"no\":\"time\"}\n{\"@t\":\"2026-11-22T12:00:01.00");

        var result = await _search.SearchAsync(LogQuery.All);

        Assert.Equal(["whole"], result.Entries.Select(e => e.Message));
    }

    [Fact]
    public async Task A_file_of_a_later_day_is_not_read_for_an_earlier_range_and_archives_are_not_searched()
    {
        // Deliberately misnamed: a file of 30 November cannot hold events of the 1st, so it is never opened.
        Write(_folder.Path, [Entry(new DateTimeOffset(2026, 11, 1, 10, 0, 0, TimeSpan.Zero), "misfiled", sequence: 1)], "monitoring-20261130.clef");
        Directory.CreateDirectory(_folder.ArchivePath);
        await using (var archive = new GZipStream(File.Create(Path.Combine(_folder.ArchivePath, "monitoring-20261101.clef.gz")), CompressionLevel.Fastest))
        await using (var writer = new StreamWriter(archive))
        {
            await writer.WriteLineAsync(Line(Entry(new DateTimeOffset(2026, 11, 1, 11, 0, 0, TimeSpan.Zero), "archived", sequence: 2)));
        }

        var result = await _search.SearchAsync(new LogQuery { From = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), To = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero) });

        Assert.Empty(result.Entries);
    }

    [Fact]
    public async Task Files_written_by_Serilog_itself_are_read_back_whole()
    {
        using (var logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .Enrich.With(new LogSequenceEnricher())
            .WriteTo.File(new RenderedCompactJsonFormatter(), _folder.RollingFilePath, rollingInterval: RollingInterval.Day)
            .CreateLogger())
        {
            logger.ForContext("SourceContext", "Monitoring.Tests.Writer").Information("Task {TaskId} placed on {Gpu}", 42, "GPU-0");
            logger.ForContext("SourceContext", "Monitoring.Tests.Writer").Error(new InvalidOperationException("boom"), "Worker crashed");
        }

        var result = await _search.SearchAsync(new LogQuery { Source = "Monitoring.Tests" });

        Assert.Equal(2, result.Entries.Count);
        var (error, info) = (result.Entries[0], result.Entries[1]);
        Assert.Equal(("Error", "Worker crashed", "Monitoring.Tests.Writer", 2L), (error.Level, error.Message, error.Source, error.Sequence));
        Assert.Contains("InvalidOperationException: boom", error.Exception, StringComparison.Ordinal);
        Assert.Equal(("Information", "Task 42 placed on \"GPU-0\"", 1L), (info.Level, info.Message, info.Sequence));
        Assert.Null(info.Exception);
        Assert.Matches(@"^monitoring-\d{8}\.clef$", Path.GetFileName(Assert.Single(Directory.GetFiles(_folder.Path))));
    }

    private async Task<long[]> Sequences(LogQuery query) =>
        (await _search.SearchAsync(query)).Entries.Select(e => e.Sequence).ToArray();
}
