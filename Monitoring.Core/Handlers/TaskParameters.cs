using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Monitoring.Core.Handlers;

/// <summary>One declared parameter of a task type, from <c>TaskTypes:&lt;type&gt;:Parameters:&lt;name&gt;</c>.</summary>
/// <remarks>Bound as text where configuration allows several spellings (<see cref="Type"/>, <see cref="Default"/>),
/// so a bad value stops start-up with a message naming its key instead of a binder exception.</remarks>
public sealed class TaskParameterOptions
{
    /// <summary><c>integer</c>, <c>number</c>, <c>boolean</c>, <c>enum</c> or <c>string</c>.</summary>
    public string? Type { get; set; }

    /// <summary>The accepted values of an <c>enum</c>, compared ordinally.</summary>
    public IList<string>? Values { get; set; }

    /// <summary>For a <c>string</c>: the whole value must match; null = <see cref="TaskParameter.DefaultPattern"/>.</summary>
    public string? Pattern { get; set; }

    /// <summary>For an <c>integer</c> or <c>number</c>; null = 0 (a leading '-' could read as an option).</summary>
    public decimal? Min { get; set; }

    /// <summary>For an <c>integer</c> or <c>number</c>; null = no bound beyond the type's own.</summary>
    public decimal? Max { get; set; }

    /// <summary>For an <c>integer</c>: the value must be a multiple of it (2 for even video sizes).</summary>
    public long? MultipleOf { get; set; }

    /// <summary>For a <c>string</c>: most characters, 1 to <see cref="TaskParameter.MaxStringLength"/>; null = 256.</summary>
    public int? MaxLength { get; set; }

    /// <summary>Used when a submission leaves the parameter out; checked against the type at start-up.
    /// Null = the parameter is required.</summary>
    public string? Default { get; set; }

    public string? Description { get; set; }
}

/// <summary>The configured <c>Type</c> of a parameter; its lower-case name is the configuration word.</summary>
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The members are the configuration words integer and string.")]
public enum TaskParameterKind
{
    Integer,
    Number,
    Boolean,
    Enum,
    String,
}

/// <summary>A declared parameter, checked at start-up: it turns a submitted JSON value into the canonical text
/// that substitution inserts, or says which rule the value broke.</summary>
public sealed class TaskParameter
{
    /// <summary>For a <c>string</c> without a <c>Pattern</c>: letters, digits, '_', '.' and '-', starting with a
    /// letter or digit. It leaves out every character ffmpeg's parsers split on (filter graphs: <c>, ; [ ] =</c>;
    /// option lists: <c>: =</c>; quoting: <c>' " \</c>; whitespace), path separators, protocol prefixes
    /// (<c>file:</c>), sequence patterns (<c>%d</c>) and a leading '.' (so no <c>..</c>).</summary>
    public const string DefaultPattern = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$";

    public const int DefaultMaxLength = 256;
    public const int MaxStringLength = 4096;

    // Not Enum.TryParse: it would also take "1" and "integer,string".
    private static readonly Dictionary<string, TaskParameterKind> Kinds = Enum.GetValues<TaskParameterKind>()
        .ToDictionary(k => k.ToString(), StringComparer.OrdinalIgnoreCase);

    private readonly Regex? _pattern;

    private TaskParameter(string name, TaskParameterKind kind, TaskParameterOptions options, Regex? pattern)
    {
        Name = name;
        Kind = kind;
        Description = options.Description;
        _pattern = pattern;
        if (kind is TaskParameterKind.Integer or TaskParameterKind.Number)
        {
            Min = options.Min ?? 0;
            Max = options.Max ?? (kind == TaskParameterKind.Integer ? long.MaxValue : null);
        }
        MultipleOf = kind == TaskParameterKind.Integer && options.MultipleOf > 1 ? options.MultipleOf : null;
        Values = kind == TaskParameterKind.Enum ? [.. options.Values ?? []] : [];
        Pattern = kind == TaskParameterKind.String ? options.Pattern ?? DefaultPattern : null;
        MaxLength = kind == TaskParameterKind.String ? options.MaxLength ?? DefaultMaxLength : null;
        Rule = RuleOf();
    }

    public string Name { get; }

    public TaskParameterKind Kind { get; }

    /// <summary>Lowest value of an integer or number; null for other kinds.</summary>
    public decimal? Min { get; }

    /// <summary>Highest value of an integer or number; null for other kinds and for an unbounded number.</summary>
    public decimal? Max { get; }

    public long? MultipleOf { get; }

    public IReadOnlyList<string> Values { get; }

    /// <summary>The pattern a string must match in full (the declared one or <see cref="DefaultPattern"/>).</summary>
    public string? Pattern { get; }

    public int? MaxLength { get; }

    /// <summary>The canonical text of the default; null = required.</summary>
    public string? Default { get; private set; }

    public string? Description { get; }

    /// <summary>What a value must be, in words: "an integer from 16 to 3840, a multiple of 2".</summary>
    public string Rule { get; }

    /// <summary>The type's name as configured (<c>integer</c>, …).</summary>
    public string TypeName => Kind.ToString().ToLowerInvariant();

    /// <summary>Checks one submitted value; on success <paramref name="text"/> is what substitution inserts.</summary>
    /// <param name="problem">On failure: "<c>width must be an integer from 16 to 3840 (got a string)</c>".</param>
    public bool TryRead(JsonElement value, out string text, out string problem)
    {
        var reason = Kind switch
        {
            TaskParameterKind.Integer => ReadInteger(value, out text),
            TaskParameterKind.Number => ReadNumber(value, out text),
            TaskParameterKind.Boolean => ReadBoolean(value, out text),
            TaskParameterKind.Enum => ReadEnum(value, out text),
            _ => ReadString(value, out text),
        };
        problem = reason is null ? "" : $"{Name} must be {Rule} (got {reason})";
        return reason is null;
    }

    /// <summary>Compiles one declaration; problems are added to <paramref name="errors"/>, each naming its key
    /// (<paramref name="key"/> is <c>TaskTypes:&lt;type&gt;:Parameters:&lt;name&gt;</c>). Null when it cannot be used.</summary>
    internal static TaskParameter? Compile(string key, string name, TaskParameterOptions? options, List<string> errors)
    {
        var before = errors.Count;
        if (!ArgumentTemplate.IsValidName(name))
        {
            errors.Add($"{key}: '{name}' is not a valid parameter name (a letter or '_' followed by letters, digits or '_')");
        }
        else if (ArgumentTemplate.IsBuiltIn(name))
        {
            errors.Add($"{key}: {{{name}}} is filled by the server and cannot be declared as a parameter");
        }
        if (options is null || string.IsNullOrWhiteSpace(options.Type))
        {
            errors.Add($"{key}:Type is required (integer, number, boolean, enum or string)");
            return null;
        }
        if (!Kinds.TryGetValue(options.Type, out var kind))
        {
            errors.Add($"{key}:Type '{options.Type}' is not a parameter type (integer, number, boolean, enum or string)");
            return null;
        }

        var numeric = kind is TaskParameterKind.Integer or TaskParameterKind.Number;
        if (!numeric && (options.Min is not null || options.Max is not null))
        {
            errors.Add($"{key}:Min and Max apply to integer and number parameters only (use MaxLength for a string)");
        }
        if (kind != TaskParameterKind.Integer && options.MultipleOf is not null)
        {
            errors.Add($"{key}:MultipleOf applies to integer parameters only");
        }
        if (kind != TaskParameterKind.Enum && options.Values is { Count: > 0 })
        {
            errors.Add($"{key}:Values apply to enum parameters only");
        }
        if (kind != TaskParameterKind.String && (options.Pattern is not null || options.MaxLength is not null))
        {
            errors.Add($"{key}:Pattern and MaxLength apply to string parameters only");
        }

        if (kind == TaskParameterKind.Integer)
        {
            foreach (var (bound, value) in new[] { ("Min", options.Min), ("Max", options.Max) })
            {
                if (value is { } v && (v != decimal.Truncate(v) || v < long.MinValue || v > long.MaxValue))
                {
                    errors.Add($"{key}:{bound} must be a whole number between {long.MinValue} and {long.MaxValue} for an integer");
                }
            }
            if (options.MultipleOf is < 1)
            {
                errors.Add($"{key}:MultipleOf must be 1 or more");
            }
        }
        if (numeric && (options.Min ?? 0) > (options.Max ?? decimal.MaxValue))
        {
            errors.Add($"{key}:Min ({Number(options.Min ?? 0)}) is more than Max ({Number(options.Max ?? 0)})");
        }

        if (kind == TaskParameterKind.Enum)
        {
            var values = options.Values ?? [];
            if (values.Count == 0)
            {
                errors.Add($"{key}:Values is required for an enum (at least one value)");
            }
            for (var i = 0; i < values.Count; i++)
            {
                if (string.IsNullOrEmpty(values[i]) || values[i].Any(IsForbidden))
                {
                    errors.Add($"{key}:Values:{i} must be non-empty text without control characters");
                }
                else if (values.Take(i).Contains(values[i], StringComparer.Ordinal))
                {
                    errors.Add($"{key}:Values:{i} '{values[i]}' is listed twice");
                }
            }
        }

        Regex? pattern = null;
        if (kind == TaskParameterKind.String)
        {
            if (options.MaxLength is < 1 or > MaxStringLength)
            {
                errors.Add($"{key}:MaxLength must be between 1 and {MaxStringLength}");
            }
            pattern = CompilePattern(key, options.Pattern ?? DefaultPattern, errors);
        }

        if (errors.Count > before)
        {
            return null;
        }
        var parameter = new TaskParameter(name, kind, options, pattern);
        if (options.Default is { } text)
        {
            if (parameter.TryReadDefault(text, out var canonical, out var problem))
            {
                parameter.Default = canonical;
            }
            else
            {
                errors.Add($"{key}:Default '{text}' does not fit: {problem}");
                return null;
            }
        }
        return parameter;
    }

    private static Regex? CompilePattern(string key, string pattern, List<string> errors)
    {
        try
        {
            // Anchored whatever the admin wrote (\z, not $, which also matches before a final newline), and
            // NonBacktracking: matching is linear in the value's length, so no pattern can be a ReDoS.
            return new Regex($@"\A(?:{pattern})\z", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            errors.Add($"{key}:Pattern is not a usable regular expression (backreferences, lookarounds and atomic groups are not supported): {ex.Message}");
            return null;
        }
    }

    /// <summary>A default comes from configuration as text; it is read the way a submitted value would be.</summary>
    private bool TryReadDefault(string text, out string canonical, out string problem)
    {
        JsonElement value;
        switch (Kind)
        {
            case TaskParameterKind.Integer or TaskParameterKind.Number:
                if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    canonical = "";
                    problem = $"{Name} must be {Rule} (got text that is not a number)";
                    return false;
                }
                value = JsonSerializer.SerializeToElement(number);
                break;
            case TaskParameterKind.Boolean:
                // The JSON configuration provider turns true into "True".
                if (!bool.TryParse(text, out var flag))
                {
                    canonical = "";
                    problem = $"{Name} must be {Rule} (got '{text}')";
                    return false;
                }
                value = JsonSerializer.SerializeToElement(flag);
                break;
            default:
                value = JsonSerializer.SerializeToElement(text);
                break;
        }
        return TryRead(value, out canonical, out problem);
    }

    private string? ReadInteger(JsonElement value, out string text)
    {
        text = "";
        if (value.ValueKind != JsonValueKind.Number)
        {
            return KindOf(value);
        }
        if (!TryDecimal(value, out var number))
        {
            return "a number out of range";
        }
        if (number != decimal.Truncate(number))
        {
            return "a number with a fraction";
        }
        if (number < Min || number > Max)
        {
            return "a number out of range";
        }
        var integer = (long)number;
        if (MultipleOf is { } multiple && integer % multiple != 0)
        {
            return $"a number that is not a multiple of {multiple}";
        }
        text = integer.ToString(CultureInfo.InvariantCulture);
        return null;
    }

    private string? ReadNumber(JsonElement value, out string text)
    {
        text = "";
        if (value.ValueKind != JsonValueKind.Number)
        {
            return KindOf(value);
        }
        if (!TryDecimal(value, out var number) || number < Min || number > (Max ?? decimal.MaxValue))
        {
            return "a number out of range";
        }
        text = Number(number);
        return null;
    }

    private static string? ReadBoolean(JsonElement value, out string text)
    {
        text = value.ValueKind switch
        {
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => "",
        };
        return text.Length > 0 ? null : KindOf(value);
    }

    private string? ReadEnum(JsonElement value, out string text)
    {
        text = "";
        if (value.ValueKind != JsonValueKind.String)
        {
            return KindOf(value);
        }
        foreach (var allowed in Values)
        {
            if (value.ValueEquals(allowed))
            {
                text = allowed;
                return null;
            }
        }
        return "a value not in the list";
    }

    private string? ReadString(JsonElement value, out string text)
    {
        text = "";
        if (value.ValueKind != JsonValueKind.String)
        {
            return KindOf(value);
        }
        string s;
        try
        {
            s = value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate ("\ud800") is valid JSON but no text.
            return "invalid UTF-16";
        }
        if (s.Length == 0)
        {
            return "empty text";
        }
        if (s.Length > MaxLength)
        {
            return $"{s.Length.ToString(CultureInfo.InvariantCulture)} characters";
        }
        if (s.Any(IsForbidden))
        {
            return "a control or invisible formatting character";
        }
        if (s[0] == '-')
        {
            return "text starting with '-', which reads as an option";
        }
        if (!_pattern!.IsMatch(s))
        {
            return "text that does not match the pattern";
        }
        text = s;
        return null;
    }

    /// <summary>Decimal, not double: it keeps the digits as written (2.50 → 2.5, never 2.4999…), renders without
    /// an exponent, and refuses what it cannot hold (1e400, 1e30) instead of turning it into infinity.</summary>
    private static bool TryDecimal(JsonElement value, out decimal number)
    {
        var raw = value.GetRawText();
        if (!decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
        {
            return false;
        }
        // 1e-40 parses as 0: a value the caller did not send.
        return number != 0 || !MantissaOf(raw).ContainsAnyInRange('1', '9');
    }

    private static ReadOnlySpan<char> MantissaOf(string raw)
    {
        var exponent = raw.AsSpan().IndexOfAny('e', 'E');
        return exponent < 0 ? raw : raw.AsSpan(0, exponent);
    }

    /// <summary>Invariant, without exponent and without trailing zeros: 2.50 → "2.5", 1e3 → "1000".</summary>
    private static string Number(decimal number) =>
        number.ToString("0.############################", CultureInfo.InvariantCulture);

    private static bool IsForbidden(char c) =>
        char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static string KindOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "null",
    };

    private string RuleOf() => Kind switch
    {
        TaskParameterKind.Integer => $"an integer {Range()}{(MultipleOf is { } m ? $", a multiple of {m.ToString(CultureInfo.InvariantCulture)}" : "")}",
        TaskParameterKind.Number => $"a number {Range()}",
        TaskParameterKind.Boolean => "true or false",
        TaskParameterKind.Enum => $"one of {string.Join(", ", Values.Select(v => $"'{v}'"))}",
        _ => $"text of 1 to {MaxLength!.Value.ToString(CultureInfo.InvariantCulture)} characters matching {Pattern}, not starting with '-'",
    };

    private string Range() => Max is { } max && !(Kind == TaskParameterKind.Integer && max == long.MaxValue)
        ? $"from {Number(Min!.Value)} to {Number(max)}"
        : $"of at least {Number(Min!.Value)}";
}

/// <summary>The declared parameters of one task type: what a submission may hold, and the text each value
/// becomes. Process types and external types share it, so a submission is checked the same way for both.</summary>
public sealed class TaskParameterSchema
{
    /// <summary>Most unknown parameters named in one answer; a 64 KiB object can hold thousands.</summary>
    private const int MaxReportedUnknown = 10;

    private const int MaxShownNameLength = 64;

    private readonly Dictionary<string, TaskParameter> _byName;

    private TaskParameterSchema(IReadOnlyList<TaskParameter> parameters)
    {
        Parameters = parameters;
        Names = [.. parameters.Select(p => p.Name)];
        _byName = parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    public static TaskParameterSchema Empty { get; } = new([]);

    /// <summary>The declarations, in the order they were asked for (for a process type: as the arguments use them).</summary>
    public IReadOnlyList<TaskParameter> Parameters { get; }

    public IReadOnlyList<string> Names { get; }

    public bool TryGet(string name, out TaskParameter parameter) => _byName.TryGetValue(name, out parameter!);

    /// <summary>Compiles <c>TaskTypes:&lt;type&gt;:Parameters</c>; every problem is added to <paramref name="errors"/>
    /// naming its key, and the schema holds only the declarations that compiled.</summary>
    /// <param name="typeKey"><c>TaskTypes:&lt;type&gt;</c>.</param>
    /// <param name="order">Names to list first, in this order; the rest follow sorted.</param>
    public static TaskParameterSchema Compile(
        string typeKey, IDictionary<string, TaskParameterOptions>? declarations, IEnumerable<string> order, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(errors);
        var first = order.Distinct(StringComparer.Ordinal).ToList();
        var compiled = new List<TaskParameter>();
        foreach (var (name, options) in (declarations ?? new Dictionary<string, TaskParameterOptions>())
                     .OrderBy(d => first.IndexOf(d.Key) is var i && i >= 0 ? i : int.MaxValue)
                     .ThenBy(d => d.Key, StringComparer.Ordinal))
        {
            if (TaskParameter.Compile($"{typeKey}:Parameters:{name}", name, options, errors) is { } parameter)
            {
                compiled.Add(parameter);
            }
        }
        return compiled.Count == 0 ? Empty : new TaskParameterSchema(compiled);
    }

    /// <summary>Checks submitted parameters: a JSON object (or nothing) whose every member is declared and fits
    /// its type. <paramref name="values"/> gets the canonical text of every declared parameter, defaults included.</summary>
    public IReadOnlyList<ParameterProblem> Validate(JsonElement parameters, out Dictionary<string, string> values)
    {
        values = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<ParameterProblem>();
        if (parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
        {
            problems.Add(new(null, $"parameters must be a JSON object, not {parameters.ValueKind.ToString().ToLowerInvariant()}"));
            return problems;
        }
        var given = new HashSet<string>(StringComparer.Ordinal);
        var unknown = 0;
        if (parameters.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in parameters.EnumerateObject())
            {
                if (!_byName.TryGetValue(property.Name, out var parameter))
                {
                    if (++unknown <= MaxReportedUnknown)
                    {
                        problems.Add(new(null, Parameters.Count == 0
                            ? $"unknown parameter '{Shown(property.Name)}'; this task type takes none"
                            : $"unknown parameter '{Shown(property.Name)}'; accepted: {string.Join(", ", Parameters.Select(p => p.Name))}"));
                    }
                    continue;
                }
                if (!given.Add(parameter.Name))
                {
                    problems.Add(new(parameter.Name, $"{parameter.Name} is given twice"));
                    continue;
                }
                if (parameter.TryRead(property.Value, out var text, out var problem))
                {
                    values[parameter.Name] = text;
                }
                else
                {
                    problems.Add(new(parameter.Name, problem));
                }
            }
        }
        if (unknown > MaxReportedUnknown)
        {
            problems.Add(new(null, $"and {unknown - MaxReportedUnknown} more unknown parameters"));
        }
        foreach (var parameter in Parameters)
        {
            if (given.Contains(parameter.Name))
            {
                continue;
            }
            if (parameter.Default is { } fallback)
            {
                values[parameter.Name] = fallback;
            }
            else
            {
                problems.Add(new(parameter.Name, $"{parameter.Name} is required: {parameter.Rule}"));
            }
        }
        return problems;
    }

    /// <summary>The submitted parameters (already valid) with every missing parameter that has a default added, typed as
    /// declared, so the stored task shows what it runs with, and a later change of a default does not change a task
    /// already queued.</summary>
    public JsonElement? WithDefaults(JsonElement? parameters)
    {
        var given = parameters is { ValueKind: JsonValueKind.Object } value ? value : (JsonElement?)null;
        var missing = Parameters.Where(p => p.Default is not null && (given is not { } g || !g.TryGetProperty(p.Name, out _))).ToList();
        if (missing.Count == 0)
        {
            return parameters;
        }

        var filled = given is { } present ? JsonObject.Create(present)! : [];
        foreach (var parameter in missing)
        {
            filled[parameter.Name] = parameter.Kind switch
            {
                TaskParameterKind.Integer => JsonValue.Create(long.Parse(parameter.Default!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)),
                TaskParameterKind.Number => JsonValue.Create(decimal.Parse(parameter.Default!, NumberStyles.Number, CultureInfo.InvariantCulture)),
                TaskParameterKind.Boolean => JsonValue.Create(parameter.Default == "true"),
                _ => JsonValue.Create(parameter.Default),
            };
        }

        return JsonSerializer.SerializeToElement(filled);
    }

    /// <summary>A caller-chosen name, bounded and printable, for an error message.</summary>
    private static string Shown(string name)
    {
        var shown = new string([.. name.Take(MaxShownNameLength).Select(c => char.IsControl(c) ? '?' : c)]);
        return name.Length > MaxShownNameLength ? shown + "…" : shown;
    }
}
