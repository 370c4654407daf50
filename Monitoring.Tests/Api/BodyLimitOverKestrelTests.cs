using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using Monitoring.Web.Logs;

namespace Monitoring.Tests.Api;

/// <summary>Over real Kestrel, whose own request-size limit throws while a handler reads: the answer is still a
/// 413 problem, not a 500 with a stack trace in the log.</summary>
public sealed class BodyLimitOverKestrelTests : IDisposable
{
    private readonly MonitoringApp _app = new();
    private readonly HttpClient _client;

    public BodyLimitOverKestrelTests()
    {
        _client = new HttpClient { BaseAddress = _app.StartKestrel() };
    }

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_over_limit_task_body_is_a_413_and_logs_no_exception(bool announceLength)
    {
        var bytes = Encoding.UTF8.GetBytes("""{"type":"test.gate","source":"x","pad":""" + "\"" + new string('a', 300 * 1024) + "\"}");
        using HttpContent content = announceLength ? new ByteArrayContent(bytes) : new StreamContent(new UnannouncedStream(bytes));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tasks") { Content = content };
        if (!announceLength)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        using var response = await _client.SendAsync(request);

        await response.IsProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0, (await _app.Reader.ListAsync(TaskFilter.All, 1, 1)).Total);
        AssertNoExceptionLogged();
    }

    [Theory]
    [InlineData(100 * 1024)]
    [InlineData(10)]
    public async Task A_sign_out_form_without_a_valid_token_is_a_400_and_logs_no_exception(int size)
    {
        using var content = new StringContent("returnUrl=" + new string('a', size), Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await _client.PostAsync("/account/logout", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertNoExceptionLogged();
    }

    private void AssertNoExceptionLogged()
    {
        var logged = _app.Services.GetRequiredService<LogRingBuffer>().Query(new LogQuery { Limit = LogQuery.MaxLimit })
            .Where(e => e.Exception is not null)
            .Select(e => $"{e.Level} {e.Source}: {e.Message}\n{e.Exception}")
            .ToList();
        Assert.True(logged.Count == 0, "logged exceptions:\n" + string.Join("\n", logged));
    }

    /// <summary>A stream that cannot tell its length, so the client must send the body chunked.</summary>
    private sealed class UnannouncedStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
