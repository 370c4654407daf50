using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Storage;
using Monitoring.Tests.Support;
using Monitoring.Web.Security;
using Monitoring.Web.Security.Accounts;

namespace Monitoring.Tests.Security;

/// <summary>The sign-in form over real HTTP: antiforgery token, cookie, lockout, rate limit, audit.</summary>
public sealed partial class SignInTests
{
    private const string AdminPassword = "Adm1n-Passw0rd!";

    private static MonitoringApp LocalApp(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["Auth:Mode"] = "Local", [AccountBootstrap.AdminPasswordVariable] = AdminPassword };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return new MonitoringApp(settings);
    }

    [Fact]
    public async Task The_console_redirects_to_sign_in_and_a_correct_password_opens_it()
    {
        using var app = LocalApp();
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var home = await client.GetAsync("/tasks");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.StartsWith("http://localhost/account/login", home.Headers.Location!.ToString(), StringComparison.Ordinal);

        var signedIn = await SignInAsync(client, "admin", AdminPassword, returnUrl: "/tasks");
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/tasks", signedIn.Headers.Location!.AbsolutePath);
        Assert.Equal("localhost", signedIn.Headers.Location.Host);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/tasks")).StatusCode);
    }

    [Fact]
    public async Task A_foreign_return_url_is_ignored()
    {
        using var app = LocalApp();
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var signedIn = await SignInAsync(client, "admin", AdminPassword, returnUrl: "https://evil.example/steal");

        Assert.Equal("localhost", signedIn.Headers.Location!.Host);
        Assert.Equal("/", signedIn.Headers.Location.AbsolutePath);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_and_every_attempt_is_audited()
    {
        using var app = LocalApp();
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        for (var i = 0; i < 4; i++)
        {
            var wrong = await SignInAsync(client, "admin", "not-the-password");
            Assert.Contains("The user name or password is wrong.", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The fifth failure is the one that locks the account, and says so.
        var fifth = await SignInAsync(client, "admin", "not-the-password");
        Assert.Contains("This account is locked", await fifth.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var right = await SignInAsync(client, "admin", AdminPassword);

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("This account is locked", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/tasks")).StatusCode);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<MonitoringDbContext>>().CreateDbContextAsync();
        Assert.Equal(6, await db.AuditEntries.CountAsync(a => a.Action == "auth.login-failed" && a.Actor == "admin"));
        Assert.Equal(0, await db.AuditEntries.CountAsync(a => a.Action == "auth.login"));
    }

    [Fact]
    public async Task Sign_in_attempts_beyond_the_rate_limit_are_refused_with_429()
    {
        using var app = LocalApp(("Auth:LoginAttemptsPerMinute", "3"));
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await SignInAsync(client, "nobody", "wrong")).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task A_disabled_account_cannot_sign_in()
    {
        using var app = LocalApp();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<MonitoringUser>>();
            var viewer = new MonitoringUser { UserName = "vera", LockoutEnabled = true };
            Assert.True((await users.CreateAsync(viewer, "Vi3wer-Passw0rd!")).Succeeded);
            await users.AddToRoleAsync(viewer, Roles.Viewer);
            await users.SetLockoutEndDateAsync(viewer, DateTimeOffset.MaxValue);
        }

        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var attempt = await SignInAsync(client, "vera", "Vi3wer-Passw0rd!");

        Assert.Contains("locked", await attempt.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_out_with_the_page_token_ends_the_session_and_without_it_is_refused()
    {
        using var app = LocalApp();
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(client, "admin", AdminPassword, returnUrl: "/tasks")).StatusCode);

        using var forged = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = "forged" });
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/account/logout", forged)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/tasks")).StatusCode);

        var page = await (await client.GetAsync("/tasks")).Content.ReadAsStringAsync();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = Token().Match(page).Groups[1].Value });
        var signedOut = await client.PostAsync("/account/logout", form);

        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await client.GetAsync("/api/v1/tasks")).StatusCode);
    }

    /// <summary>Posts the sign-in form the way a browser does: token from the page, cookies kept.</summary>
    internal static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string user, string password, string? returnUrl = null)
    {
        var path = SecurityExtensions.LoginPath + (returnUrl is null ? "" : "?returnUrl=" + Uri.EscapeDataString(returnUrl));
        var page = await (await client.GetAsync(path)).Content.ReadAsStringAsync();
        var token = Token().Match(page).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "the sign-in page carries an antiforgery token");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.UserName"] = user,
            ["Input.Password"] = password,
        });
        return await client.PostAsync(path, form);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
