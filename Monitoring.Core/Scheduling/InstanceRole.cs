namespace Monitoring.Core.Scheduling;

/// <summary>Whether this process may change the database (SPEC rule 2): the one place the API, the console and the
/// Core write paths ask. Read-only exactly while another live process holds the scheduler lease.</summary>
/// <remarks>
/// A process whose scheduling is off (<c>Scheduler:Enabled=false</c>) and that sees no live lease holder stays
/// writable: nobody else runs the database, and its changes go through the same transactional queue. The state is
/// fed by the scheduler tick (<see cref="GpuScheduler.TickAsync"/>), which renews or watches the lease; when the
/// owner dies and this process takes the lease over, <see cref="Changed"/> fires and it is writable at once.
/// </remarks>
public sealed class InstanceRole
{
    private volatile string? _owner;

    /// <summary>Raised when this process turns read-only or writable. Handlers must be quick and must not throw.</summary>
    public event Action? Changed;

    public bool IsReadOnly => _owner is not null;

    /// <summary>The process that owns the database while this one is read-only ("host-a/pid 123/1a2b3c4d").</summary>
    public string? Owner => _owner;

    /// <summary>The reason an action is refused, for problems, tooltips and errors; null while writable.</summary>
    public string? Reason => _owner is { } owner ? Describe(owner) : null;

    /// <summary>Records who owns the database: another process's id, or null when this process may write.</summary>
    public void Update(string? otherOwner)
    {
        if (string.Equals(Interlocked.Exchange(ref _owner, otherOwner), otherOwner, StringComparison.Ordinal))
        {
            return;
        }

        Changed?.Invoke();
    }

    /// <summary>Called by every write entry point an operator reaches; throws while another process owns the database.</summary>
    public void EnsureWritable()
    {
        if (_owner is { } owner)
        {
            throw new ReadOnlyInstanceException(owner);
        }
    }

    public static string Describe(string owner) => $"read-only: this database is scheduled by {owner}";
}

/// <summary>A change refused because another process owns the database; nothing was written.</summary>
public sealed class ReadOnlyInstanceException(string owner)
    : InvalidOperationException($"{InstanceRole.Describe(owner)}; make changes there.")
{
    public string Owner { get; } = owner;
}
