using System.Text;

namespace Monitoring.Core.Handlers;

/// <summary>One configured argument of a process task type, such as <c>testsrc=size={width}x{height}</c>:
/// literal text and <c>{name}</c> placeholders; <c>{{</c> and <c>}}</c> stand for literal braces.</summary>
/// <remarks>A template renders to exactly one argument, however many placeholders it holds, so a value can
/// never split into several arguments or reach a shell.</remarks>
internal sealed class ArgumentTemplate
{
    /// <summary>Placeholders every process task has; they are filled from the run, never from parameters.</summary>
    public static readonly IReadOnlyList<string> BuiltIns = ["task_id", "attempt", "output_dir"];

    private readonly (string Text, bool IsPlaceholder)[] _segments;

    private ArgumentTemplate((string Text, bool IsPlaceholder)[] segments) => _segments = segments;

    public IEnumerable<string> Placeholders => _segments.Where(s => s.IsPlaceholder).Select(s => s.Text);

    public static bool IsBuiltIn(string name) => BuiltIns.Contains(name, StringComparer.Ordinal);

    /// <summary>Parses a template known to be valid (configuration was validated).</summary>
    public static ArgumentTemplate Parse(string template) =>
        TryParse(template, out var result, out var error) ? result : throw new FormatException($"argument '{template}' {error}");

    /// <summary>Parses a template; on failure <paramref name="error"/> says what is wrong and where.</summary>
    public static bool TryParse(string template, out ArgumentTemplate result, out string error)
    {
        var segments = new List<(string, bool)>();
        var literal = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}')
                {
                    literal.Append('}');
                    i++;
                    continue;
                }
                return Fail($"has an unmatched '}}' at position {i} (write '}}}}' for a literal brace)", out result, out error);
            }
            if (c != '{')
            {
                literal.Append(c);
                continue;
            }
            if (i + 1 < template.Length && template[i + 1] == '{')
            {
                literal.Append('{');
                i++;
                continue;
            }
            var close = template.IndexOf('}', i + 1);
            if (close < 0)
            {
                return Fail($"has an unclosed '{{' at position {i} (write '{{{{' for a literal brace)", out result, out error);
            }
            var name = template[(i + 1)..close];
            if (!IsValidName(name))
            {
                return Fail($"has an invalid placeholder '{{{name}}}' at position {i}: a name is a letter or '_' followed by letters, digits or '_'",
                    out result, out error);
            }
            if (literal.Length > 0)
            {
                segments.Add((literal.ToString(), false));
                literal.Clear();
            }
            segments.Add((name, true));
            i = close;
        }
        if (literal.Length > 0)
        {
            segments.Add((literal.ToString(), false));
        }
        result = new ArgumentTemplate([.. segments]);
        error = "";
        return true;
    }

    /// <summary>Fills the placeholders; <paramref name="valueOf"/> must know every one (parameters were validated).</summary>
    public string Render(Func<string, string> valueOf)
    {
        if (_segments.Length == 1)
        {
            var (text, isPlaceholder) = _segments[0];
            return isPlaceholder ? valueOf(text) : text;
        }
        var builder = new StringBuilder();
        foreach (var (text, isPlaceholder) in _segments)
        {
            builder.Append(isPlaceholder ? valueOf(text) : text);
        }
        return builder.ToString();
    }

    internal static bool IsValidName(string name) =>
        name.Length > 0
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static bool Fail(string message, out ArgumentTemplate result, out string error)
    {
        result = new ArgumentTemplate([]);
        error = message;
        return false;
    }
}
