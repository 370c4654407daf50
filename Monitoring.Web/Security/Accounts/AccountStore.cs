using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Monitoring.Web.Security.Accounts;

/// <summary>A local account (no self-registration: Admins create them).</summary>
public sealed class MonitoringUser : IdentityUser
{
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A key for automation. Only a SHA-256 hash is stored: keys are 256-bit random values,
/// so a fast hash is enough (there is nothing to brute-force), and the key itself is shown once.</summary>
public sealed class ApiKey
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string Role { get; set; }
    /// <summary>Lower-case hex SHA-256 of the key.</summary>
    public required string Hash { get; set; }
    /// <summary>The first characters of the key, so an operator can tell keys apart.</summary>
    public required string Prefix { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>Accounts, roles and API keys, in the product's SQLite file beside the task tables, with a
/// migration history of their own so Core never depends on ASP.NET Identity.</summary>
public sealed class AccountStore(DbContextOptions<AccountStore> options) : IdentityDbContext<MonitoringUser>(options)
{
    public const string MigrationsHistoryTable = "__AccountMigrationsHistory";

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    /// <summary>Run-time configuration changes made in the console or the API (they win over appsettings.json).</summary>
    public DbSet<Settings.SettingOverride> SettingOverrides => Set<Settings.SettingOverride>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<ApiKey>(key =>
        {
            key.ToTable("ApiKeys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Name).HasMaxLength(100);
            key.Property(k => k.Role).HasMaxLength(16);
            key.Property(k => k.Hash).HasMaxLength(64);
            key.Property(k => k.Prefix).HasMaxLength(16);
            key.Property(k => k.CreatedBy).HasMaxLength(128);
            key.HasIndex(k => k.Hash).IsUnique();
            key.HasIndex(k => k.Name);
        });
        builder.Entity<Settings.SettingOverride>(setting =>
        {
            setting.ToTable("SettingOverrides");
            setting.HasKey(o => o.Key);
            setting.Property(o => o.Key).HasMaxLength(200);
            setting.Property(o => o.Value).HasMaxLength(1000);
            setting.Property(o => o.ChangedBy).HasMaxLength(128);
        });
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Unix milliseconds, as the task tables store times. (EF's default DateTimeOffset-to-long converter packs
        // ticks with the offset and overflows on DateTimeOffset.MaxValue — the lockout end of a disabled account.)
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMilliseconds>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UnixMilliseconds>();
    }

    /// <summary>A lockout that ends in the year 9999 is a disabled account (milliseconds truncate MaxValue).</summary>
    public static bool IsDisabled(DateTimeOffset? lockoutEnd) => lockoutEnd is { Year: 9999 };

    private sealed class UnixMilliseconds() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, long>(
        v => v.ToUnixTimeMilliseconds(),
        v => DateTimeOffset.FromUnixTimeMilliseconds(v));
}

/// <summary>Lets <c>dotnet ef migrations add … --context AccountStore</c> build the model without the host.</summary>
internal sealed class AccountStoreDesignFactory : IDesignTimeDbContextFactory<AccountStore>
{
    public AccountStore CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AccountStore>()
            .UseSqlite("Data Source=design-time.db", o => o.MigrationsHistoryTable(AccountStore.MigrationsHistoryTable))
            .Options);
}
