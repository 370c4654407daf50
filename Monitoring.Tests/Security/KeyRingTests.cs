using System.Net;
using Monitoring.Tests.Support;
using Monitoring.Web.Security.Accounts;

namespace Monitoring.Tests.Security;

public sealed class KeyRingTests
{
    private const string AdminPassword = "Adm1n-Passw0rd!";

    /// <summary>Each process gets its own empty home folder, as a re-created container does: the framework's default
    /// key ring (under the home folder) would be new, so only the ring in the data folder keeps the cookie valid.</summary>
    [Fact]
    public async Task A_sign_in_survives_a_restart_on_the_same_data_folder()
    {
        using var data = new TempDirectory();
        using var firstHome = new TempDirectory();
        using var secondHome = new TempDirectory();
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };

        using (var first = Start(data.Path, firstHome.Path, out var firstAddress))
        using (var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = firstAddress })
        {
            await first.WaitUntilLiveAsync(http);
            Assert.Equal(HttpStatusCode.Redirect, (await SignInTests.SignInAsync(http, "admin", AdminPassword)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/tasks")).StatusCode);
        }

        using var second = Start(data.Path, secondHome.Path, out var secondAddress);
        using var again = new HttpClient(handler, disposeHandler: false) { BaseAddress = secondAddress };
        await second.WaitUntilLiveAsync(again);

        // Cookies belong to the host name, not the port: the browser sends the same one to the new process.
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/api/v1/tasks")).StatusCode);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(data.Path, "keys"), "key-*.xml"));
    }

    private static WebProcess Start(string dataDirectory, string home, out Uri address)
    {
        var port = WebProcess.FreePort();
        address = new Uri($"http://127.0.0.1:{port}");
        var how = new WebProcessStart
        {
            Environment = new Dictionary<string, string> { ["HOME"] = home, [AccountBootstrap.AdminPasswordVariable] = AdminPassword },
        };
        return new WebProcess(how, dataDirectory, "--urls", address.ToString(), "--Demo:Enabled=false", "--Gpu:Provider=none", "--Scheduler:Enabled=false");
    }
}
