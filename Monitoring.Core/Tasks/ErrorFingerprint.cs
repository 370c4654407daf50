using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Monitoring.Core.Tasks;

/// <summary>Groups failures of one cause: the same task type, kind and message once the parts
/// that differ between occurrences (ids, numbers, paths, quoted values) are masked.</summary>
public static partial class ErrorFingerprint
{
    public static string Normalize(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return "";
        }

        var firstLine = message.AsSpan().Trim();
        var newline = firstLine.IndexOfAny('\r', '\n');
        var text = (newline >= 0 ? firstLine[..newline] : firstLine).ToString();
        text = Guid().Replace(text, "<guid>");
        text = Quoted().Replace(text, "<str>");
        text = UnixPath().Replace(text, "<path>");
        text = Hex().Replace(text, "<hex>");
        text = Number().Replace(text, "<n>");
        text = Spaces().Replace(text, " ").Trim().ToLowerInvariant();
        return text.Length > 300 ? text[..300] : text;
    }

    public static string Compute(string taskType, FailureKind kind, string? message)
    {
        var key = $"{taskType}\n{kind}\n{Normalize(message)}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    [GeneratedRegex(@"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")]
    private static partial Regex Guid();

    [GeneratedRegex("""(['"]).*?\1""")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"(?<!\w)/[\w.\-/]+")]
    private static partial Regex UnixPath();

    [GeneratedRegex(@"\b0x[0-9a-fA-F]+\b|\b[0-9a-fA-F]{12,}\b")]
    private static partial Regex Hex();

    [GeneratedRegex(@"\d+(\.\d+)?")]
    private static partial Regex Number();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
