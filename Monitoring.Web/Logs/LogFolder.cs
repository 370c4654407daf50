using System.Globalization;
using System.Text.RegularExpressions;
using Monitoring.Core.Storage;

namespace Monitoring.Web.Logs;

/// <summary>Where the logs live: <c>{Storage:DataDirectory}/logs/monitoring-yyyyMMdd[_NNN].clef</c> (one compact-JSON
/// event per line, rolled daily by local date and by size) and <c>logs/archive/*.clef.gz</c>.</summary>
public sealed partial class LogFolder(string path)
{
    public const string FileExtension = ".clef";
    private const string FilePrefix = "monitoring-";

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public string ArchivePath => System.IO.Path.Combine(Path, "archive");

    /// <summary>The path Serilog's rolling file sink is given; it inserts the date (and a roll number) before the extension.</summary>
    public string RollingFilePath => System.IO.Path.Combine(Path, FilePrefix + FileExtension);

    public static LogFolder From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        return new LogFolder(System.IO.Path.Combine(storage.DataDirectory, "logs"));
    }

    /// <summary>The plain log files, not the archive.</summary>
    public IEnumerable<FileInfo> Files() =>
        Directory.Exists(Path) ? new DirectoryInfo(Path).EnumerateFiles("*" + FileExtension) : [];

    /// <summary>The local day in a rolled file's name (<c>monitoring-20261122_003.clef</c> → 2026-11-22); null for other names.</summary>
    public static DateOnly? DayOf(string fileName)
    {
        var match = RolledFileName().Match(fileName);
        return match.Success && DateOnly.TryParseExact(match.Groups["day"].Value, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : null;
    }

    [GeneratedRegex(@"^monitoring-(?<day>\d{8})(_\d+)?\.clef$", RegexOptions.CultureInvariant)]
    private static partial Regex RolledFileName();
}
