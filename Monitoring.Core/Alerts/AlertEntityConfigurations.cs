using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Monitoring.Core.Metrics;

namespace Monitoring.Core.Alerts;

internal sealed class AlertRuleConfiguration : IEntityTypeConfiguration<AlertRule>
{
    public void Configure(EntityTypeBuilder<AlertRule> rule)
    {
        rule.ToTable("AlertRules");
        rule.HasKey(r => r.Id);
        rule.Property(r => r.Name).HasMaxLength(AlertRule.MaxNameLength).IsRequired();
        rule.Property(r => r.Metric).HasMaxLength(MetricSeries.MaxNameLength).IsRequired();
        rule.Property(r => r.Matchers).HasMaxLength(AlertRule.MaxLabelsLength).IsRequired();
        rule.Property(r => r.Labels).HasMaxLength(AlertRule.MaxLabelsLength).IsRequired();
        rule.Property(r => r.Summary).HasMaxLength(AlertRule.MaxSummaryLength).IsRequired();
        rule.Property(r => r.Comparison).HasConversion<string>().HasMaxLength(16);
        rule.Property(r => r.Severity).HasConversion<string>().HasMaxLength(16);
        rule.Property(r => r.BuiltIn).HasMaxLength(AlertRule.MaxBuiltInLength);
        rule.HasIndex(r => r.Name).IsUnique();
        // The seeder's lookup; several user rules share null.
        rule.HasIndex(r => r.BuiltIn).IsUnique();
        rule.HasMany<AlertInstance>().WithOne().HasForeignKey(i => i.RuleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AlertInstanceConfiguration : IEntityTypeConfiguration<AlertInstance>
{
    public void Configure(EntityTypeBuilder<AlertInstance> instance)
    {
        instance.ToTable("AlertInstances");
        instance.HasKey(i => i.Id);
        instance.Property(i => i.SeriesLabels).HasMaxLength(AlertInstance.MaxSeriesLabelsLength).IsRequired();
        instance.Property(i => i.Fingerprint).HasMaxLength(16).IsRequired();
        instance.Property(i => i.State).HasConversion<string>().HasMaxLength(16);
        instance.Property(i => i.StateBeforeNoData).HasConversion<string>().HasMaxLength(16);
        instance.Ignore(i => i.Phase);
        instance.HasIndex(i => new { i.RuleId, i.SeriesLabels }).IsUnique();
        // The current-alerts list filters by state.
        instance.HasIndex(i => i.State);
    }
}

internal sealed class AlertHistoryEntryConfiguration : IEntityTypeConfiguration<AlertHistoryEntry>
{
    public void Configure(EntityTypeBuilder<AlertHistoryEntry> entry)
    {
        entry.ToTable("AlertHistory");
        entry.HasKey(h => h.Id);
        entry.Property(h => h.RuleName).HasMaxLength(AlertRule.MaxNameLength).IsRequired();
        entry.Property(h => h.SeriesLabels).HasMaxLength(AlertInstance.MaxSeriesLabelsLength).IsRequired();
        entry.Property(h => h.Severity).HasConversion<string>().HasMaxLength(16);
        entry.Property(h => h.From).HasConversion<string>().HasMaxLength(16);
        entry.Property(h => h.To).HasConversion<string>().HasMaxLength(16);
        // Newest first over a time range, retention's oldest slice, and the task page's overlap query.
        entry.HasIndex(h => h.At);
        entry.HasIndex(h => new { h.InstanceId, h.At });
        entry.HasIndex(h => new { h.RuleId, h.At });
    }
}

internal sealed class SilenceConfiguration : IEntityTypeConfiguration<Silence>
{
    public void Configure(EntityTypeBuilder<Silence> silence)
    {
        silence.ToTable("Silences");
        silence.HasKey(s => s.Id);
        silence.Property(s => s.Matchers).HasMaxLength(AlertRule.MaxLabelsLength).IsRequired();
        silence.Property(s => s.Author).HasMaxLength(Silence.MaxAuthorLength).IsRequired();
        silence.Property(s => s.Reason).HasMaxLength(Silence.MaxReasonLength).IsRequired();
        silence.HasIndex(s => s.EndsAt);
    }
}
