namespace Monitoring.Core;

/// <summary>Checks on text that came from outside (API bodies, headers): the one definition of well-formed UTF-16.</summary>
public static class UnicodeText
{
    /// <summary>Whether every surrogate in <paramref name="text"/> is half of a pair. A lone one (JSON's <c>"\ud800"</c>)
    /// is not text: it cannot be encoded as UTF-8, so it would fail later in a log, a file or the database.</summary>
    public static bool IsWellFormed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
