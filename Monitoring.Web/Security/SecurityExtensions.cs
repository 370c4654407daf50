using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Monitoring.Core.Storage;
using Monitoring.Web.Security.Accounts;

namespace Monitoring.Web.Security;

public static class SecurityExtensions
{
    private const string SelectorScheme = "Monitoring";
    public const string LoginPath = "/account/login";

    /// <summary>Accounts, roles, API keys and the loopback-only mode; policies for the three roles;
    /// lockout and a rate limit on sign-in.</summary>
    public static WebApplicationBuilder AddMonitoringSecurity(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();

        // The key ring signs the session cookies and antiforgery tokens. Kept in the data folder, so a restart or a
        // re-created container (same volume) does not sign everyone out; the application name pins the key
        // isolation, which otherwise follows the install path. On Linux the keys are stored unencrypted (README).
        services.AddDataProtection()
            .SetApplicationName("Monitoring")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.GetFullPath(Path.Combine(storage.DataDirectory, "keys"))));

        services.AddOptions<NetworkOptions>().BindConfiguration(NetworkOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NetworkOptions>, ValidateNetworkOptions>());
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<NetworkOptions>>((forwarded, network) =>
        {
            // The framework trusts loopback by default, and every peer when both lists are empty: here only what
            // Network:* names (a proxy on this machine included), and no forwarded header at all without it.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in network.Value.KnownProxies)
            {
                if (IPAddress.TryParse(proxy, out var address))
                {
                    forwarded.KnownProxies.Add(address);
                }
            }

            foreach (var range in network.Value.KnownNetworks)
            {
                if (System.Net.IPNetwork.TryParse(range, out var parsed))
                {
                    forwarded.KnownIPNetworks.Add(parsed);
                }
            }

            forwarded.ForwardedHeaders = forwarded.KnownProxies.Count + forwarded.KnownIPNetworks.Count > 0
                ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
                : ForwardedHeaders.None;
        });

        services.AddDbContextFactory<AccountStore>((sp, options) =>
            options.UseMonitoringDatabase(sp.GetRequiredService<IOptions<StorageOptions>>().Value, AccountStore.MigrationsHistoryTable));
        services.AddIdentityCore<MonitoringUser>(o =>
            {
                o.Password.RequiredLength = 10;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AccountStore>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        // A disabled account or a reset password signs the user out within a minute, not half an hour.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = SelectorScheme;
                o.DefaultChallengeScheme = SelectorScheme;
            })
            .AddPolicyScheme(SelectorScheme, "API key, account or loopback", o => o.ForwardDefaultSelector = context =>
                ApiKeyAuthenticationHandler.HasKey(context.Request) ? ApiKeyAuthenticationHandler.SchemeName
                : auth.Mode == AuthOptions.NoneMode ? LoopbackAuthenticationHandler.SchemeName
                : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, LoopbackAuthenticationHandler>(LoopbackAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = LoginPath;
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/denied";
            o.Cookie.Name = "monitoring.session";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromMinutes(auth.SessionMinutes);
            o.SlidingExpiration = true;
            // The API answers 401/403; only the console redirects to the sign-in page.
            o.Events.OnRedirectToLogin = context => ApiAware(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => ApiAware(context, StatusCodes.Status403Forbidden);
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.ViewPolicy, p => p.RequireRole(Roles.Viewer, Roles.Operator, Roles.Admin))
            .AddPolicy(Roles.OperatePolicy, p => p.RequireRole(Roles.Operator, Roles.Admin))
            .AddPolicy(Roles.AdministerPolicy, p => p.RequireRole(Roles.Admin));
        services.AddCascadingAuthenticationState();
        services.AddSingleton<AccountAdministration>();
        services.AddSingleton<ApiKeyAdministration>();
        services.AddHostedService<LoopbackBindingGuard>();

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments(LoginPath, StringComparison.OrdinalIgnoreCase)
                    ? RateLimitPartition.GetFixedWindowLimiter(
                        context.Connection.RemoteIpAddress?.ToString() ?? "local",
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = auth.LoginAttemptsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter("other"));
        });
        return builder;
    }

    /// <summary>Takes the client address and scheme from a known proxy's forwarded headers (<c>Network:*</c>); first in
    /// the pipeline, so request metrics, the sign-in rate limit and the audit all see the real client.</summary>
    public static WebApplication UseMonitoringForwardedHeaders(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseForwardedHeaders();
        return app;
    }

    private static Task ApiAware(RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) ||
            context.Request.Path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase) ||
            context.Request.Path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
