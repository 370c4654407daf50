namespace Monitoring.Core.Storage;

/// <summary>Page arithmetic that cannot overflow: every paged list computes its offset here.</summary>
public static class Paging
{
    /// <summary>Rows to skip for a 1-based page, or null when the page lies past any list a database can hold
    /// (the caller answers an empty page). In int arithmetic, (page − 1) × pageSize wraps negative for large
    /// pages, and SQLite reads a negative OFFSET as 0: page int.MaxValue came back as page 1.</summary>
    public static int? Offset(int page, int pageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var skip = (page - 1L) * pageSize;
        return skip > int.MaxValue ? null : (int)skip;
    }
}
