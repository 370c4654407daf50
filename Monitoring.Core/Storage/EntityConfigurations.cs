using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Monitoring.Core.Audit;
using Monitoring.Core.Metrics;
using Monitoring.Core.Scheduling;
using Monitoring.Core.Tasks;

namespace Monitoring.Core.Storage;

internal sealed class TaskItemConfiguration : IEntityTypeConfiguration<TaskItem>
{
    public void Configure(EntityTypeBuilder<TaskItem> task)
    {
        task.ToTable("Tasks");
        task.HasKey(t => t.Id);
        task.Property(t => t.Type).HasMaxLength(TaskItem.MaxTypeLength).IsRequired();
        task.Property(t => t.Parameters).IsRequired();
        task.Property(t => t.IdempotencyKey).HasMaxLength(TaskItem.MaxIdempotencyKeyLength);
        task.Property(t => t.Source).HasMaxLength(64).IsRequired();
        task.Property(t => t.WorkerId).HasMaxLength(64);
        task.Property(t => t.GpuUuid).HasMaxLength(96);
        task.Property(t => t.ErrorFingerprint).HasMaxLength(32);
        task.Property(t => t.TraceId).HasMaxLength(32);
        task.Property(t => t.TraceSpanId).HasMaxLength(16);
        task.Property(t => t.Version).IsConcurrencyToken();
        task.Ignore(t => t.IsFinished);

        // The claim: next eligible task by priority, then FIFO.
        task.HasIndex(t => new { t.Status, t.Priority, t.EnqueuedAt, t.Id });
        // Status filter with newest-first paging (the Tasks and Failed lists).
        task.HasIndex(t => new { t.Status, t.Id });
        // Retries whose backoff elapsed.
        task.HasIndex(t => new { t.Status, t.NextAttemptAt });
        // Failure grouping.
        task.HasIndex(t => new { t.Status, t.ErrorFingerprint, t.FinishedAt });
        // Windowed statistics (covering: the percentile read never touches the table) and retention.
        task.HasIndex(t => new { t.FinishedAt, t.Status, t.Type, t.DurationMs, t.QueueWaitMs });
        task.HasIndex(t => new { t.Type, t.Id });
        task.HasIndex(t => t.CreatedAt);
        task.HasIndex(t => t.IdempotencyKey).IsUnique();

        task.HasMany(t => t.Events).WithOne().HasForeignKey(e => e.TaskId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TaskEventConfiguration : IEntityTypeConfiguration<TaskEvent>
{
    public void Configure(EntityTypeBuilder<TaskEvent> taskEvent)
    {
        taskEvent.ToTable("TaskEvents");
        taskEvent.HasKey(e => e.Id);
        taskEvent.Property(e => e.Actor).HasMaxLength(128).IsRequired();
        taskEvent.Property(e => e.Message).HasMaxLength(TaskItem.MaxErrorLength);
        taskEvent.Property(e => e.WorkerId).HasMaxLength(64);
        taskEvent.Property(e => e.GpuUuid).HasMaxLength(96);
        taskEvent.HasIndex(e => new { e.TaskId, e.Id });
    }
}

internal sealed class TaskCounterConfiguration : IEntityTypeConfiguration<TaskCounter>
{
    public void Configure(EntityTypeBuilder<TaskCounter> counter)
    {
        counter.ToTable("TaskCounters");
        counter.HasKey(c => new { c.Type, c.Priority, c.Status });
        counter.Property(c => c.Type).HasMaxLength(TaskItem.MaxTypeLength);
    }
}

internal sealed class SchedulerLeaseConfiguration : IEntityTypeConfiguration<SchedulerLease>
{
    public void Configure(EntityTypeBuilder<SchedulerLease> lease)
    {
        lease.ToTable("SchedulerLeases");
        lease.HasKey(l => l.Name);
        lease.Property(l => l.Name).HasMaxLength(64);
        lease.Property(l => l.Owner).HasMaxLength(200);
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> entry)
    {
        entry.ToTable("AuditEntries");
        entry.HasKey(a => a.Id);
        entry.Property(a => a.Actor).HasMaxLength(128);
        entry.Property(a => a.ActorKind).HasMaxLength(16);
        entry.Property(a => a.Action).HasMaxLength(64);
        entry.Property(a => a.Target).HasMaxLength(1024);
        entry.Property(a => a.RemoteAddress).HasMaxLength(64);
        entry.HasIndex(a => a.At);
        entry.HasIndex(a => new { a.Actor, a.At });
        entry.HasIndex(a => new { a.Action, a.At });
    }
}

internal sealed class MetricSeriesConfiguration : IEntityTypeConfiguration<MetricSeries>
{
    public void Configure(EntityTypeBuilder<MetricSeries> series)
    {
        series.ToTable("MetricSeries");
        series.HasKey(s => s.Id);
        series.Property(s => s.Name).HasMaxLength(MetricSeries.MaxNameLength).IsRequired();
        series.Property(s => s.Labels).HasMaxLength(MetricSeries.MaxLabelsLength).IsRequired();
        // Identity of a series (the upsert's conflict target) and the query's lookup by name.
        series.HasIndex(s => new { s.Name, s.Labels }).IsUnique();
    }
}

internal sealed class MetricSampleConfiguration : IEntityTypeConfiguration<MetricSample>
{
    public void Configure(EntityTypeBuilder<MetricSample> sample)
    {
        sample.ToTable("MetricSamples");
        sample.HasKey(s => s.Id);
        sample.HasOne<MetricSeries>().WithMany().HasForeignKey(s => s.SeriesId).OnDelete(DeleteBehavior.Cascade);
        // A series over a time range (queries).
        sample.HasIndex(s => new { s.SeriesId, s.At });
        // Every series over a time range: the roll-up's minutes and retention's oldest slice.
        sample.HasIndex(s => s.At);
    }
}

internal sealed class MetricRollupConfiguration : IEntityTypeConfiguration<MetricRollup>
{
    public void Configure(EntityTypeBuilder<MetricRollup> rollup)
    {
        rollup.ToTable("MetricRollups");
        // A series over a time range (queries), and the roll-up's upsert target.
        rollup.HasKey(r => new { r.SeriesId, r.Minute });
        rollup.HasOne<MetricSeries>().WithMany().HasForeignKey(r => r.SeriesId).OnDelete(DeleteBehavior.Cascade);
        // The watermark (latest minute) and retention's oldest slice.
        rollup.HasIndex(r => r.Minute);
    }
}
