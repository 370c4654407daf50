using System.ComponentModel.DataAnnotations;

namespace Monitoring.Core.Storage;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Holds the database, logs and task output.</summary>
    [Required]
    public string DataDirectory { get; set; } = "./data";

    public string DatabaseFileName { get; set; } = "monitoring.db";

    /// <summary><c>Full</c>: an acknowledged enqueue survives power loss. <c>Normal</c>: faster, may lose the last commits.</summary>
    [RegularExpression("^(Full|Normal)$", ErrorMessage = "Storage:Synchronous must be Full or Normal.")]
    public string Synchronous { get; set; } = "Full";

    /// <summary>How long a writer waits for the database lock before giving up.</summary>
    [Range(100, 600_000)]
    public int BusyTimeoutMilliseconds { get; set; } = 10_000;

    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, DatabaseFileName));
}
