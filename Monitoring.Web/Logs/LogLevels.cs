using Serilog.Events;

namespace Monitoring.Web.Logs;

internal static class LogLevels
{
    public static readonly string[] Names = Enum.GetNames<LogEventLevel>();

    /// <summary>A Serilog level name, any case; digits are refused so "7" is not a level.</summary>
    public static LogEventLevel? Parse(string? name) =>
        name is { Length: > 0 } && !char.IsDigit(name[0]) && Enum.TryParse<LogEventLevel>(name, ignoreCase: true, out var level) && Enum.IsDefined(level)
            ? level
            : null;

    /// <summary>Microsoft.Extensions.Logging level names (<c>Logging:LogLevel</c>) in Serilog terms.</summary>
    public static LogEventLevel? FromMicrosoft(string? name) => name?.Trim().ToUpperInvariant() switch
    {
        "TRACE" => LogEventLevel.Verbose,
        "DEBUG" => LogEventLevel.Debug,
        "INFORMATION" => LogEventLevel.Information,
        "WARNING" => LogEventLevel.Warning,
        "ERROR" => LogEventLevel.Error,
        "CRITICAL" => LogEventLevel.Fatal,
        // Serilog has no level above Fatal; one past it is its usual way of saying "off".
        "NONE" => LevelAlias.Off,
        _ => null,
    };
}
