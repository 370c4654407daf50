namespace Monitoring.Core.Tasks;

public enum ActorKind
{
    System,
    Scheduler,
    User,
    ApiKey,
}

/// <summary>Who caused a change: written to task events and the audit trail.</summary>
public sealed record Actor(string Name, ActorKind Kind, string? RemoteAddress = null)
{
    public static readonly Actor System = new("system", ActorKind.System);
    public static readonly Actor Scheduler = new("scheduler", ActorKind.Scheduler);

    /// <summary>Operator actions are audited; the system's own bookkeeping is not.</summary>
    public bool IsOperator => Kind is ActorKind.User or ActorKind.ApiKey;

    public override string ToString() => Name;
}
