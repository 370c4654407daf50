using System.ComponentModel.DataAnnotations;

namespace Monitoring.Web.Security;

public sealed class AuthOptions
{
    public const string Section = "Auth";
    public const string LocalMode = "Local";
    public const string NoneMode = "None";

    /// <summary><c>Local</c>: accounts with roles (and API keys) in the product database.
    /// <c>None</c>: every caller on this machine is the local Admin; the host then refuses to bind
    /// anything but loopback.</summary>
    [RegularExpression("^(Local|None)$", ErrorMessage = "Auth:Mode must be Local or None (None serves loopback addresses only).")]
    public string Mode { get; set; } = LocalMode;

    /// <summary>How long a console sign-in lasts without activity.</summary>
    [Range(1, 7 * 24 * 60)]
    public int SessionMinutes { get; set; } = 8 * 60;

    /// <summary>Sign-in attempts allowed per client address per minute.</summary>
    [Range(1, 1000)]
    public int LoginAttemptsPerMinute { get; set; } = 10;
}
