using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Live;

/// <summary>The console's live connection (Blazor's hub at /_blazor) over a real WebSocket.</summary>
public sealed class CircuitTransportTests : IDisposable
{
    private readonly MonitoringApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task The_websocket_declines_per_message_compression_a_browser_offers()
    {
        var baseAddress = _app.StartKestrel();
        using var http = new HttpClient { BaseAddress = baseAddress };
        using var negotiate = await http.PostAsync(new Uri("_blazor/negotiate?negotiateVersion=1", UriKind.Relative), null);
        negotiate.EnsureSuccessStatusCode();
        var token = (await negotiate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connectionToken").GetString();
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        // What Chromium offers on every WebSocket: permessage-deflate.
        socket.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();

        await socket.ConnectAsync(new Uri($"ws://{baseAddress.Authority}/_blazor?id={token}"), CancellationToken.None);

        Assert.Equal(WebSocketState.Open, socket.State);
        Assert.Equal(101, (int)socket.HttpStatusCode);
        // Accepted, the server would keep a compressor per open page (zlib's state, outside the managed heap).
        var extensions = socket.HttpResponseHeaders?.TryGetValue("Sec-WebSocket-Extensions", out var accepted) == true ? string.Join(", ", accepted) : "";
        Assert.Equal("", extensions);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }
}
