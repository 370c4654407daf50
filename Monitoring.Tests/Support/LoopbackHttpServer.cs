using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Monitoring.Tests.Support;

/// <summary>One HTTP request as a <see cref="LoopbackHttpServer"/> received it.</summary>
public sealed record ReceivedRequest(int Number, string Method, string Path, string? ContentType, string? Authorization, byte[] Body)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>A real HTTP server (Kestrel) on an ephemeral loopback port that records every request and answers
/// with the status code the test's responder returns (a receiver of webhooks, OTLP exports …).</summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private int _count;

    private LoopbackHttpServer(Func<ReceivedRequest, CancellationToken, Task<int>> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var request = new ReceivedRequest(Interlocked.Increment(ref _count), context.Request.Method, context.Request.Path,
                context.Request.ContentType, context.Request.Headers.Authorization.FirstOrDefault(), body.ToArray());
            _requests.Enqueue(request);
            context.Response.StatusCode = await respond(request, context.RequestAborted);
        });
    }

    /// <summary>The base address, ending with a slash.</summary>
    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests.OrderBy(r => r.Number)];

    /// <param name="respond">The status code for each request; it may wait (on the aborted-request token) to simulate a hung receiver.</param>
    public static async Task<LoopbackHttpServer> StartAsync(Func<ReceivedRequest, CancellationToken, Task<int>> respond)
    {
        var server = new LoopbackHttpServer(respond);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public static Task<LoopbackHttpServer> StartAsync(Func<ReceivedRequest, int> respond) =>
        StartAsync((request, _) => Task.FromResult(respond(request)));

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
