using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Monitoring.Web.Security;

/// <summary>Stops start-up when <c>Auth:Mode=None</c> would serve a non-loopback address:
/// a console that can retry, cancel and delete work must never be open to the network.</summary>
/// <remarks>The check runs in <see cref="StartedAsync"/>: hosted services start before the server
/// binds, so only then are the bound addresses known. Until the host stops, the loopback
/// authentication handler refuses every caller from another machine.</remarks>
internal sealed class LoopbackBindingGuard(IServer server, IOptions<AuthOptions> auth, ILogger<LoopbackBindingGuard> logger) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (auth.Value.Mode != "None")
        {
            return Task.CompletedTask;
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var open = addresses.Where(a => !IsLoopback(a)).ToList();
        if (open.Count > 0)
        {
            throw new InvalidOperationException(
                $"Auth:Mode=None only serves loopback addresses, but the host is bound to {string.Join(", ", open)}. " +
                "Bind to 127.0.0.1 or [::1] (--urls http://127.0.0.1:5080).");
        }

        logger.LogInformation("Auth:Mode=None: loopback callers act as the local Admin; bound to {Addresses}", string.Join(", ", addresses));
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        if (uri.IsLoopback)
        {
            return true;
        }

        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }
}
