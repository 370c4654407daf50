using System.ComponentModel.DataAnnotations;

namespace Monitoring.Web.Security;

public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary><c>None</c>: every caller on this machine is the local Admin, and the host refuses
    /// to bind anything but loopback. Local accounts (<c>Local</c>) arrive with the security issue.</summary>
    [RegularExpression("^(None)$", ErrorMessage = "Auth:Mode must be None for now (local accounts are not built yet); None only serves loopback addresses.")]
    public string Mode { get; set; } = "None";
}
