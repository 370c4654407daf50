using Monitoring.Core.Scheduling;

namespace Monitoring.Web.Components.Layout;

/// <summary>What the console may change, cascaded to every page by <see cref="ConsoleAccessProvider"/>: the one
/// place pages learn they are read-only (SPEC rule 2). An action button binds <c>Disabled</c> to
/// <see cref="ReadOnly"/> and its <c>title</c> to <see cref="Title"/>, so it shows the reason instead of failing.</summary>
public sealed record ConsoleAccess(string? ReadOnlyReason)
{
    /// <summary>Where nothing cascades (a component rendered on its own): the Core write paths still refuse.</summary>
    public static ConsoleAccess Writable { get; } = new((string?)null);

    public bool ReadOnly => ReadOnlyReason is not null;

    /// <summary>The tooltip of an action: why it is disabled, else <paramref name="hint"/>.</summary>
    public string? Title(string? hint = null) => ReadOnlyReason ?? hint;

    public static ConsoleAccess Of(InstanceRole role)
    {
        ArgumentNullException.ThrowIfNull(role);
        return role.Reason is { } reason ? new ConsoleAccess(reason) : Writable;
    }
}
