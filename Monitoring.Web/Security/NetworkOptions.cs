using System.Net;
using Microsoft.Extensions.Options;

namespace Monitoring.Web.Security;

/// <summary>Reverse proxies whose <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> are believed (SPEC §9). Empty (the
/// default): no forwarded header changes the client address, and a forwarded request is never a loopback caller.</summary>
public sealed class NetworkOptions
{
    public const string Section = "Network";

    /// <summary>IP addresses of the proxies, e.g. <c>127.0.0.1</c> for nginx on this machine.</summary>
    public IList<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of the proxies in CIDR notation, e.g. <c>10.0.0.0/24</c>.</summary>
    public IList<string> KnownNetworks { get; set; } = [];
}

internal sealed class ValidateNetworkOptions : IValidateOptions<NetworkOptions>
{
    public ValidateOptionsResult Validate(string? name, NetworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (var i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                errors.Add($"{NetworkOptions.Section}:{nameof(NetworkOptions.KnownProxies)}:{i} ('{options.KnownProxies[i]}') is not an IP address.");
            }
        }

        for (var i = 0; i < options.KnownNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(options.KnownNetworks[i], out _))
            {
                errors.Add($"{NetworkOptions.Section}:{nameof(NetworkOptions.KnownNetworks)}:{i} ('{options.KnownNetworks[i]}') is not a network in CIDR notation (10.0.0.0/24).");
            }
        }

        return errors.Count > 0 ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
    }
}
