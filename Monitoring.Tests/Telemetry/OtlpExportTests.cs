using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using OpenTelemetry.Trace;

namespace Monitoring.Tests.Telemetry;

public sealed class OtlpExportTests
{
    [Fact]
    public async Task With_an_otlp_endpoint_a_finished_tasks_spans_are_posted_as_protobuf()
    {
        await using var collector = await LoopbackHttpServer.StartAsync(_ => 200);
        using var app = new MonitoringApp(MonitoringApp.Scheduling(("Telemetry:OtlpEndpoint", collector.Url.ToString())));
        app.Gate.PassThrough = true;
        using var client = app.CreateClient();

        var created = await client.PostJsonAsync("/api/v1/tasks", new { type = GateHandler.CpuType, parameters = new { } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetInt64();
        await Eventually.TrueAsync(async () => (await app.Reader.GetAsync(id))!.Status == TaskState.Completed, "the task completes");
        var detail = await (await client.GetAsync(new Uri($"/api/v1/tasks/{id}", UriKind.Relative))).ReadJsonAsync();
        var traceId = detail.GetProperty("traceId").GetString()!;
        Assert.Equal((await app.Reader.GetAsync(id))!.TraceId, traceId);

        // The run span ends just after the completion is recorded; flush until it is out.
        var traceIdBytes = Convert.FromHexString(traceId);
        await Eventually.TrueAsync(() =>
        {
            app.Services.GetRequiredService<TracerProvider>().ForceFlush(5000);
            return collector.Requests.Any(r => Contains(r.Body, traceIdBytes) && Contains(r.Body, "task.run"u8.ToArray()));
        }, "the collector received the task's run span");

        var export = collector.Requests.First(r => Contains(r.Body, traceIdBytes));
        Assert.Equal("POST", export.Method);
        Assert.Equal("/v1/traces", export.Path);
        Assert.Equal("application/x-protobuf", export.ContentType);
        Assert.True(Contains(export.Body, "Monitoring.Tasks"u8.ToArray()), "the scope is the Monitoring.Tasks source");
    }

    [Fact]
    public void Without_an_otlp_endpoint_no_tracing_is_registered()
    {
        using var app = new MonitoringApp();

        Assert.Null(app.Services.GetService<TracerProvider>());
    }

    [Fact]
    public void A_bad_otlp_endpoint_stops_start_up_naming_the_key()
    {
        using var app = new MonitoringApp(new Dictionary<string, string?> { ["Telemetry:OtlpEndpoint"] = "collector:4318" });

        var error = Assert.ThrowsAny<Exception>(() => app.Services);

        Assert.Contains("Telemetry:OtlpEndpoint must be an absolute http:// or https:// URL", error.ToString(), StringComparison.Ordinal);
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
