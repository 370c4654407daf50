using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using Monitoring.Tests.Support;
using Monitoring.Web.Logs;
using static Monitoring.Tests.Logs.ClefLines;

namespace Monitoring.Tests.Logs;

public sealed class LogsApiTests
{
    [Fact]
    public async Task An_event_the_host_logs_is_in_its_file_and_the_search_returns_it_once()
    {
        await using var host = await LogsHost.StartAsync();

        host.Logger("Monitoring.Tests.Logs.Probe").LogWarning("Probe {Probe} is late by {Seconds} s", "gpu", 12);

        var file = Assert.Single(Directory.GetFiles(host.Folder.Path, "monitoring-*.clef"));
        var line = Assert.Single(File.ReadAllLines(file), l => l.Contains("is late", StringComparison.Ordinal));
        var written = ClefFile.TryParse(line)!;
        Assert.True(written.Sequence > 0, "the file line carries the sequence number");
        Assert.Contains(host.Buffer.Query(LogQuery.All), e => e.Sequence == written.Sequence);

        var entries = (await Search(host, "?search=IS%20LATE")).GetProperty("entries");

        var entry = Assert.Single(entries.EnumerateArray());
        Assert.Equal("Warning", entry.GetProperty("level").GetString());
        Assert.Equal("Monitoring.Tests.Logs.Probe", entry.GetProperty("source").GetString());
        Assert.Equal("Probe \"gpu\" is late by 12 s", entry.GetProperty("message").GetString());
        Assert.Equal(written.Sequence, entry.GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task The_query_string_filters_by_level_source_text_time_and_limit_newest_first()
    {
        await using var host = await LogsHost.StartAsync();
        Write(host.Folder.Path,
        [
            Entry(Noon.AddMinutes(-10), "GPU 0 placed", "Warning", "Monitoring.Core.Scheduling.GpuScheduler", sequence: 1),
            Entry(Noon.AddMinutes(-9), "GPU 1 placed", "Information", "Monitoring.Core.Scheduling.GpuScheduler", sequence: 2),
            Entry(Noon.AddMinutes(-8), "GPU 2 placed", "Error", "Monitoring.Core.Scheduling.GpuScheduler", sequence: 3),
            Entry(Noon.AddMinutes(-7), "GPU 3 placed", "Fatal", "Monitoring.Core.Scheduling.GpuScheduler", sequence: 4),
            Entry(Noon.AddMinutes(-6), "GPU 4 placed", "Error", "Monitoring.Core.Workers.WorkerPool", sequence: 5),
            Entry(Noon.AddMinutes(-5), "GPU 5 placed", "Error", "Monitoring.Core.Scheduling.GpuScheduler", sequence: 6),
            Entry(Noon.AddMinutes(-4), "CPU busy", "Error", "Monitoring.Core.Scheduling.GpuScheduler", sequence: 7),
        ]);

        var body = await Search(host,
            "?level=warning&source=monitoring.core.scheduling&search=gpu&from=2026-11-22T11:50:00Z&to=2026-11-22T11:55:00Z&limit=2");

        Assert.Equal(["GPU 3 placed", "GPU 2 placed"], body.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("message").GetString()));
        Assert.True(body.GetProperty("limitReached").GetBoolean());
    }

    public static TheoryData<string, string> BadQueries() => new()
    {
        { "?level=loud", "level" },
        { "?level=4", "level" },
        { "?from=yesterday", "from" },
        { "?to=2026-13-45", "to" },
        { "?from=2026-11-22T12:00:00Z&to=2026-11-22T11:00:00Z", "from" },
        { "?limit=0", "limit" },
        { "?limit=5001", "limit" },
        { "?limit=ten", "limit" },
        { "?search=" + new string('x', 201), "search" },
        { "?source=" + new string('x', 201), "source" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Bad_input_gets_400_naming_the_field(string query, string field)
    {
        await using var host = await LogsHost.StartAsync();

        var response = await host.Client.GetAsync(new Uri("/api/v1/system/logs" + query, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem should name '{field}': {problem}");
    }

    [Fact]
    public async Task A_caller_from_another_machine_gets_401()
    {
        await using var host = await LogsHost.StartAsync();

        var context = await host.App.GetTestServer().SendAsync(c =>
        {
            c.Request.Path = "/api/v1/system/logs";
            c.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        });

        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
    }

    private static async Task<JsonElement> Search(LogsHost host, string query)
    {
        var response = await host.Client.GetAsync(new Uri("/api/v1/system/logs" + query, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }
}
