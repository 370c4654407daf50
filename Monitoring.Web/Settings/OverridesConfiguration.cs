using Microsoft.Data.Sqlite;

namespace Monitoring.Web.Settings;

/// <summary>The run-time overrides as the last configuration source, so every IOptionsMonitor sees them.
/// Read once at start straight from the SQLite file (the host is not built yet), then kept in step by
/// <see cref="LiveSettings"/>, which writes the database and this provider together.</summary>
public sealed class OverridesConfigurationSource(string databasePath) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new OverridesConfigurationProvider(databasePath);
}

public sealed class OverridesConfigurationProvider(string databasePath) : ConfigurationProvider
{
    public override void Load()
    {
        Data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(databasePath))
        {
            return;
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var exists = connection.CreateCommand();
        exists.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'SettingOverrides'";
        if (Convert.ToInt64(exists.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Key, Value FROM SettingOverrides";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            Data[reader.GetString(0)] = reader.GetString(1);
        }
    }

    /// <summary>Replaces the overrides and tells every options monitor to re-read.</summary>
    public void Apply(IReadOnlyDictionary<string, string> overrides)
    {
        Data = new Dictionary<string, string?>(overrides.ToDictionary(o => o.Key, o => (string?)o.Value), StringComparer.OrdinalIgnoreCase);
        OnReload();
    }
}
