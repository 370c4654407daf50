namespace Monitoring.Web.Settings;

/// <summary>One configuration key set at run time; it wins over appsettings.json and survives restarts.</summary>
public sealed class SettingOverride
{
    public required string Key { get; set; }
    public required string Value { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    public required string ChangedBy { get; set; }
}
