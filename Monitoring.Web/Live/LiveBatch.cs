namespace Monitoring.Web.Live;

/// <summary>The updates that arrived since a component last drew, oldest first.</summary>
/// <param name="Dropped">Updates that did not fit in the batch (the oldest are dropped); anything that counts
/// things must re-read them from the database rather than add up the updates.</param>
public sealed record LiveBatch(IReadOnlyList<LiveUpdate> Updates, int Dropped)
{
    public bool HasTaskChanges => Updates.Any(u => u is TaskUpdate);

    /// <summary>Task or pool updates: the figures a pool KPI shows may have moved.</summary>
    public bool HasPoolChanges => Updates.Any(u => u is PoolUpdate or TaskUpdate);

    public IEnumerable<T> OfType<T>()
        where T : LiveUpdate => Updates.OfType<T>();

    /// <summary>The newest update of a kind, e.g. the latest system sample.</summary>
    public T? Latest<T>()
        where T : LiveUpdate => Updates.OfType<T>().LastOrDefault();
}
