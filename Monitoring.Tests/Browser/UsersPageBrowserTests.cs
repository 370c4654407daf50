using System.Net;
using Microsoft.Playwright;
using Monitoring.Tests.Support;
using Monitoring.Web.Security;

namespace Monitoring.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class UsersPageBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly MonitoringApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task An_admin_creates_an_api_key_that_is_shown_once_works_and_stops_working_when_revoked()
    {
        var baseAddress = _app.StartKestrel();
        var page = await browser.OpenAsync(baseAddress);
        await BrowserFixture.GotoAsync(page, "users");

        await page.GetByTestId("new-key-name").FillAsync("grafana");
        await page.GetByTestId("create-key").ClickAsync();
        var secret = (await page.GetByTestId("new-key-secret").Locator("code").First.InnerTextAsync()).Trim();
        Assert.StartsWith("mon_", secret, StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "users.png"), FullPage = true });

        using var client = new HttpClient { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("api/v1/tasks")).StatusCode);

        await page.GetByTestId("key-table").GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Key revoked")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await page.Locator("#circuit-state[data-interactive='yes']").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.GetByTestId("key-table")).ToContainTextAsync("Revoked");
        await Assertions.Expect(page.GetByTestId("key-table")).Not.ToContainTextAsync(secret);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("api/v1/tasks")).StatusCode);
    }
}
