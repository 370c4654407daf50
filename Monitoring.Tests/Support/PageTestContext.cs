using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitoring.Core.Storage;
using Monitoring.Core.Tasks;
using Monitoring.Web;
using Monitoring.Web.Logs;
using Monitoring.Web.Security;
using Monitoring.Web.Security.Accounts;
using MudBlazor;
using MudBlazor.Services;
using Serilog.Events;

namespace Monitoring.Tests.Support;

/// <summary>A bUnit context for one console page over the product's own services: composed by
/// <see cref="MonitoringComposition.AddMonitoring"/> on a real SQLite file in a temp folder, with the settings
/// <see cref="MonitoringApp"/> uses, but never started, so no scheduler, periodic job or demo producer changes what
/// a page shows — only what the test puts in the database does. bUnit supplies what a browser would: JS interop
/// (loose: charts call into ApexCharts), MudBlazor's services and providers, and the signed-in user, who is
/// authorized by the product's real role policies.</summary>
public sealed class PageTestContext : BunitContext
{
    private readonly TempDirectory _directory;
    private readonly WebApplication _app;
    private readonly AsyncServiceScope _circuit;
    private readonly BunitAuthorizationContext _user;
    private IRenderedComponent<MudSnackbarProvider>? _snackbars;
    private IRenderedComponent<MudDialogProvider>? _dialogs;
    private int _disposed;

    private PageTestContext(TempDirectory directory, WebApplication app, DatabaseGate database)
    {
        _directory = directory;
        _app = app;
        Database = database;

        JSInterop.Mode = JSRuntimeMode.Loose;
        // Test classes render in parallel on a shared machine; bUnit's 1 s default fails waits that only ran late.
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
        Services.AddMudServices();
        // One scope for the whole test, as a Blazor circuit has one.
        _circuit = app.Services.CreateAsyncScope();
        Services.AddFallbackServiceProvider(_circuit.ServiceProvider);
        // The product's logging, so a page's error lands in the same log (and Logs page) as in production.
        Services.AddSingleton(app.Services.GetRequiredService<ILoggerFactory>());
        Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));

        _user = AddAuthorization();
        // bUnit's stand-ins grant whatever policy a test names; the product's own ones decide from the roles instead.
        Services.AddSingleton(app.Services.GetRequiredService<IAuthorizationPolicyProvider>());
        Services.AddSingleton(app.Services.GetRequiredService<IAuthorizationService>());
        SignInAs(Roles.Admin);
        // Last: the renderer this creates fixes the services.
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    /// <summary>Holds or fails the pages' queries (both the monitoring and the account database).</summary>
    public DatabaseGate Database { get; }

    /// <summary>The product's own services, as a page gets them.</summary>
    public IServiceProvider App => _app.Services;

    public TaskQueue Queue => App.GetRequiredService<TaskQueue>();
    public TaskReader Reader => App.GetRequiredService<TaskReader>();

    /// <summary>The newest entries of the product's in-memory log.</summary>
    public LogRingBuffer Log => App.GetRequiredService<LogRingBuffer>();

    /// <summary>Toasts the pages raised, rendered by the same provider as in the layout.</summary>
    public IRenderedComponent<MudSnackbarProvider> Snackbars => _snackbars ?? throw new InvalidOperationException("Render a page first.");

    /// <summary>Message boxes the pages opened.</summary>
    public IRenderedComponent<MudDialogProvider> Dialogs => _dialogs ?? throw new InvalidOperationException("Render a page first.");

    /// <param name="settings">Configuration on top of the test defaults (e.g. <c>("Workers:Count", "3")</c>).</param>
    public static async Task<PageTestContext> CreateAsync(params (string Key, string Value)[] settings)
    {
        var directory = new TempDirectory();
        WebApplication? app = null;
        try
        {
            // appsettings.json from the build output, as a deployed console reads it; the test settings win over it.
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                EnvironmentName = "Development",
                ContentRootPath = AppContext.BaseDirectory,
                ApplicationName = typeof(Program).Assembly.GetName().Name,
            });
            var configuration = new Dictionary<string, string?>
            {
                ["Storage:DataDirectory"] = directory.Path,
                ["Demo:Enabled"] = "false",
                ["Auth:Mode"] = "None",
                ["Scheduler:Enabled"] = "false",
                ["Gpu:Provider"] = "none",
            };
            foreach (var (key, value) in settings)
            {
                configuration[key] = value;
            }

            builder.Configuration.AddInMemoryCollection(configuration);
            builder.AddMonitoring();
            var database = new DatabaseGate();
            builder.Services.ConfigureDbContext<MonitoringDbContext>(o => o.AddInterceptors(database));
            builder.Services.ConfigureDbContext<AccountStore>(o => o.AddInterceptors(database));
            app = builder.Build();
            await app.PrepareMonitoringAsync();
            return new PageTestContext(directory, app, database);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            directory.Dispose();
            throw;
        }
    }

    /// <summary>A page's error state: the alert names what could not be read and why, nothing still shows as loading,
    /// and the product's log holds the exception, so the operator can find the cause.</summary>
    /// <param name="because">The failure's own message; by default the one <see cref="DatabaseGate.Fail"/> causes.</param>
    public void AssertLoadError<TPage>(IRenderedComponent<TPage> page, string what, string because = DatabaseGate.DiskIoErrorMessage)
        where TPage : IComponent
    {
        ArgumentNullException.ThrowIfNull(page);
        page.WaitForAssertion(() => Assert.Contains(
            $"{what} could not be read: {because}", page.FindAll("[data-testid=load-error]").Select(e => e.TextContent.Trim())));
        Assert.False(page.IsLoading(), "A failed read still shows as loading.");
        Assert.Contains(
            Log.Query(new LogQuery { MinimumLevel = LogEventLevel.Error, Search = "could not be read" }),
            e => e.Message.Contains(what, StringComparison.Ordinal) && e.Exception?.Contains(because, StringComparison.Ordinal) == true);
    }

    /// <summary>Waits for a toast (MudSnackbar) with <paramref name="text"/>.</summary>
    public void AssertToast(string text) =>
        Snackbars.WaitForAssertion(() => Assert.Contains(text, Snackbars.Markup, StringComparison.Ordinal));

    /// <summary>The signed-in user from now on: <paramref name="role"/> is checked by the product's policies.</summary>
    public void SignInAs(string role, string userName = "alice") => _user.SetAuthorized(userName).SetRoles(role);

    /// <summary>Renders a page beside the layout's MudBlazor providers (popovers, dialogs, toasts).</summary>
    public IRenderedComponent<TPage> RenderPage<TPage>(Action<ComponentParameterCollectionBuilder<TPage>>? parameters = null)
        where TPage : IComponent
    {
        if (_snackbars is null)
        {
            Render<MudPopoverProvider>();
            _dialogs = Render<MudDialogProvider>();
            _snackbars = Render<MudSnackbarProvider>();
        }

        return Render(parameters ?? (_ => { }));
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        await DisposeAppAsync();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            DisposeAppAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private async ValueTask DisposeAppAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        // Components first (base), then the services they used, then the files under them.
        await _circuit.DisposeAsync();
        await _app.DisposeAsync();
        _directory.Dispose();
    }
}
