using Microsoft.Playwright;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Browser;

/// <summary>The navigation drawer is markup and CSS, toggled in the browser alone (js/layout.js): beside the page on
/// a wide screen, over it on demand on a narrow one.</summary>
[Collection(BrowserCollection.Name)]
public sealed class NavigationDrawerBrowserTests(BrowserFixture browser) : IDisposable
{
    private readonly MonitoringApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task On_a_wide_screen_the_drawer_sits_beside_the_page_and_the_toggle_hides_it_across_renders()
    {
        var baseAddress = _app.StartKestrel();
        var page = await browser.OpenAsync(baseAddress);
        var problems = PageProblems.Watch(page, baseAddress);
        await BrowserFixture.GotoAsync(page, "");
        var drawer = page.GetByTestId("nav-drawer");
        var toggle = page.GetByTestId("nav-toggle");
        await Assertions.Expect(drawer).ToBeInViewportAsync();
        Assert.Equal(240, await ContentMarginAsync(page));

        await toggle.ClickAsync();

        await Assertions.Expect(drawer).Not.ToBeInViewportAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        await Assertions.Expect(page.Locator(".console-scrim")).ToBeHiddenAsync();
        await Eventually.TrueAsync(async () => await ContentMarginAsync(page) == 0, "the page did not take the drawer's room");

        // The server re-renders the layout (dark mode) and navigates: the browser's choice stays.
        await page.GetByTestId("dark-mode-toggle").ClickAsync();
        await Assertions.Expect(page.GetByTestId("dark-mode-toggle")).ToHaveAttributeAsync("data-dark", "yes");
        await page.GetByTestId("quick-pending").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("tasks"));
        await Assertions.Expect(drawer).Not.ToBeInViewportAsync();

        await toggle.ClickAsync();

        await Assertions.Expect(drawer).ToBeInViewportAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await Eventually.TrueAsync(async () => await ContentMarginAsync(page) == 240, "the page did not make room for the drawer");
        problems.AssertNone();
    }

    [Fact]
    public async Task On_a_narrow_screen_the_drawer_opens_over_the_page_and_closes_on_a_link_the_scrim_or_Escape()
    {
        var baseAddress = _app.StartKestrel();
        var page = await browser.OpenAsync(baseAddress);
        await page.SetViewportSizeAsync(800, 900);
        var problems = PageProblems.Watch(page, baseAddress);
        await BrowserFixture.GotoAsync(page, "");
        var drawer = page.GetByTestId("nav-drawer");
        var toggle = page.GetByTestId("nav-toggle");
        var scrim = page.Locator(".console-scrim");
        await Assertions.Expect(drawer).Not.ToBeInViewportAsync();
        Assert.Equal(0, await ContentMarginAsync(page));

        await toggle.ClickAsync();

        await Assertions.Expect(drawer).ToBeInViewportAsync();
        await Assertions.Expect(scrim).ToBeVisibleAsync();
        await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        Assert.Equal(0, await ContentMarginAsync(page));

        await drawer.GetByRole(AriaRole.Link, new() { Name = "Failed" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/failed$"));
        // The layout follows navigation and the menu marks the page it is on.
        await Assertions.Expect(drawer.GetByRole(AriaRole.Link, new() { Name = "Failed" })).ToHaveAttributeAsync("aria-current", "page");
        await Assertions.Expect(drawer.GetByRole(AriaRole.Link, new() { Name = "Dashboard" })).Not.ToHaveAttributeAsync("aria-current", "page");
        await Assertions.Expect(drawer).Not.ToBeInViewportAsync();
        await Assertions.Expect(scrim).ToBeHiddenAsync();

        await toggle.ClickAsync();
        await Assertions.Expect(drawer).ToBeInViewportAsync();
        await scrim.ClickAsync(new() { Position = new() { X = 700, Y = 400 } });
        await Assertions.Expect(drawer).Not.ToBeInViewportAsync();

        await toggle.ClickAsync();
        await Assertions.Expect(drawer).ToBeInViewportAsync();
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(drawer).Not.ToBeInViewportAsync();
        problems.AssertNone();
    }

    [Fact]
    public async Task A_page_reached_from_the_dashboard_opens_its_popovers()
    {
        var baseAddress = _app.StartKestrel();
        var page = await browser.OpenAsync(baseAddress);
        var problems = PageProblems.Watch(page, baseAddress);
        await BrowserFixture.GotoAsync(page, "");
        // The dashboard has no popover, so the layout leaves MudBlazor's popover provider out there.
        await Assertions.Expect(page.Locator(".mud-popover-provider")).ToHaveCountAsync(0);

        await page.GetByTestId("nav-drawer").GetByRole(AriaRole.Link, new() { Name = "Tasks" }).ClickAsync();
        await page.GetByLabel("Priority").ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Option, new() { Name = "High" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".mud-popover-provider")).ToHaveCountAsync(1);
        problems.AssertNone();
    }

    // The main content's left margin in CSS pixels: the room the page leaves for the drawer.
    private static Task<int> ContentMarginAsync(IPage page) =>
        page.EvaluateAsync<int>("() => Math.round(parseFloat(getComputedStyle(document.querySelector('.mud-main-content')).marginLeft))");
}
