using Monitoring.Core.Tasks;

namespace Monitoring.Core.Storage;

/// <summary>A roll-up row maintained in the same transaction as every status change, so counts
/// and the all-time success rate stay exact and cost nothing at millions of tasks.</summary>
public sealed class TaskCounter
{
    public required string Type { get; set; }
    public TaskPriority Priority { get; set; }
    public TaskState Status { get; set; }
    /// <summary>Tasks in this status now.</summary>
    public long InStatus { get; set; }
    /// <summary>Transitions into this status ever; never decremented, not even by deletes or retention.</summary>
    public long EnteredTotal { get; set; }
}
