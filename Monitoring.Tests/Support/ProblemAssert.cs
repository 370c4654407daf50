using System.Net;
using System.Text.Json;

namespace Monitoring.Tests.Support;

public static class ProblemAssert
{
    /// <summary>An RFC 9457 problem with this status that, when <paramref name="field"/> is given, names it under <c>errors</c>.</summary>
    public static async Task IsProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            using var problem = JsonDocument.Parse(body);
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"the problem should name '{field}': {body}");
        }
    }
}
