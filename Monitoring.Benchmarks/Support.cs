using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Monitoring.Core;
using Monitoring.Core.Storage;

namespace Monitoring.Benchmarks;

/// <summary>A fresh folder under the system temp folder, deleted (with its databases) on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory(string benchmark)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"monitoring-bench-{benchmark}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    private bool _disposed;

    public string Sub(string name)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // Pooled connections keep the files open; release them before deleting.
        SqliteConnection.ClearAllPools();
        if (Environment.GetEnvironmentVariable("MONITORING_BENCH_KEEP_DATA") == "1")
        {
            Console.Error.WriteLine($"kept {Path} (MONITORING_BENCH_KEEP_DATA=1)");
            return;
        }

        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>The product's core services the way the product composes them: configuration →
/// <c>AddMonitoringCore()</c> → <c>InitializeDatabaseAsync()</c> (WAL, migrations).</summary>
internal static class CoreHost
{
    public static async Task<IHost> StartAsync(string dataDirectory, Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = dataDirectory,
            // Only the benchmark's own output on the console; the product's start-up lines add nothing.
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddMonitoringCore();
        configure?.Invoke(builder);
        var host = builder.Build();
        await host.Services.InitializeDatabaseAsync();
        await host.StartAsync();
        return host;
    }
}

/// <summary>A fresh database with the product's schema, and the one connection a seeder writes it through.</summary>
internal static class SeedDatabase
{
    /// <summary>Creates the schema the product's own way (its configuration, WAL switch and migrations), then opens a
    /// connection for seeding: no fsync per commit (nothing is acknowledged to anyone), a large page cache.
    /// The database file is the connection's <c>DataSource</c>.</summary>
    public static async Task<SqliteConnection> CreateAsync(string dataDirectory)
    {
        string databasePath;
        using (var host = await CoreHost.StartAsync(dataDirectory))
        {
            databasePath = host.Services.GetRequiredService<IOptions<StorageOptions>>().Value.DatabasePath;
            await host.StopAsync();
        }

        SqliteConnection.ClearAllPools();
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;";
        await pragma.ExecuteNonQueryAsync();
        return connection;
    }
}

/// <summary>Order statistics over measured samples.</summary>
internal static class Figures
{
    public static double Median(IReadOnlyCollection<double> values) => Quantile(values, 0.5);

    /// <summary>Linear interpolation between closest ranks (the usual "type 7" quantile).</summary>
    public static double Quantile(IReadOnlyCollection<double> values, double q)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }

    public static double Round(double value, int digits = 2) => Math.Round(value, digits, MidpointRounding.AwayFromZero);

    public static double Milliseconds(long startTimestamp, long endTimestamp) =>
        (endTimestamp - startTimestamp) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;

    public static string Format(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => Format(bytes / (double)(1L << 30)) + " GiB",
        >= 1L << 20 => Format(bytes / (double)(1L << 20), "0.0") + " MiB",
        _ => Format(bytes / 1024.0, "0.0") + " KiB",
    };
}

/// <summary>The machine-readable last line of stdout.</summary>
internal static class ResultLine
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        // Keep "→" and "+" readable in the one line people and scripts both read.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write<T>(T result)
    {
        Console.Out.Flush();
        Console.WriteLine(JsonSerializer.Serialize(result, Options));
    }
}

/// <summary>Thrown when a benchmark's own consistency check fails; the run must not report figures over wrong data.</summary>
internal sealed class BenchmarkCheckException(string message) : Exception(message);

internal static class Check
{
    public static void That(bool condition, string message)
    {
        if (!condition)
        {
            throw new BenchmarkCheckException(message);
        }
    }
}


/// <summary>How busy the shared machine was: the 1-minute load average from <c>/proc/loadavg</c>.</summary>
internal static class MachineLoad
{
    public static double LoadAverage1() =>
        File.Exists("/proc/loadavg")
            ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture)
            : double.NaN;
}

/// <summary>How a benchmark's HTTP client signs in to an app with accounts on (<c>Auth:Mode=Local</c>, the
/// product's default), the way automation does: an Admin API key created at first start from
/// <c>MONITORING_BOOTSTRAP_API_KEY</c>, sent as <c>X-Api-Key</c>. Fresh random secrets per run.</summary>
internal sealed class BenchmarkCredentials
{
    public string ApiKey { get; } = "mon_bench-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    /// <summary>Given so the first start does not generate one and print it to standard error.</summary>
    public string AdminPassword { get; } = "Bench-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12)) + "-Aa1!";

    public IEnumerable<KeyValuePair<string, string>> Settings =>
    [
        new("Auth:Mode", Monitoring.Web.Security.AuthOptions.LocalMode),
        new(Monitoring.Web.Security.Accounts.AccountBootstrap.AdminPasswordVariable, AdminPassword),
        new(Monitoring.Web.Security.Accounts.AccountBootstrap.BootstrapKeyVariable, ApiKey),
    ];

    public void Authenticate(HttpClient client) =>
        client.DefaultRequestHeaders.Add(Monitoring.Web.Security.ApiKeyAuthenticationHandler.HeaderName, ApiKey);
}
