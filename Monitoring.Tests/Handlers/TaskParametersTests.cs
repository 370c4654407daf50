using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Core.Handlers;
using Monitoring.Core.Tasks;
using Monitoring.Tests.Support;
using static Monitoring.Tests.Handlers.HandlerRuns;

namespace Monitoring.Tests.Handlers;

/// <summary>A process type with one parameter of every kind, each with a default, over a real SQLite file:
/// a submission can send one hostile value and leave the rest out.</summary>
public sealed class ParameterTypesDatabase : IAsyncLifetime
{
    public const string Type = "probe";

    private ServiceProvider _handlers = null!;

    public TestDatabase Db { get; private set; } = null!;

    public TaskIntake Intake { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Bound from configuration as the product binds it; the queue is the real one over SQLite.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();
        _handlers = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddTaskHandlers().BuildServiceProvider();
        Db = await TestDatabase.CreateAsync();
        Intake = new TaskIntake(_handlers.GetRequiredService<TaskTypeRegistry>(), Db.Queue);
    }

    public async Task DisposeAsync()
    {
        await Db.DisposeAsync();
        await _handlers.DisposeAsync();
    }

    private static readonly Dictionary<string, string?> Settings = new()
    {
        [$"TaskTypes:{Type}:Command"] = "printf",
        [$"TaskTypes:{Type}:Args:0"] = "%s|",
        [$"TaskTypes:{Type}:Args:1"] = "testsrc=size={count}x{count}:name={text}",
        [$"TaskTypes:{Type}:Args:2"] = "{ratio}",
        [$"TaskTypes:{Type}:Args:3"] = "{flag}",
        [$"TaskTypes:{Type}:Args:4"] = "{preset}",
        [$"TaskTypes:{Type}:Parameters:text:Type"] = "string",
        [$"TaskTypes:{Type}:Parameters:text:Default"] = "clip",
        [$"TaskTypes:{Type}:Parameters:count:Type"] = "integer",
        [$"TaskTypes:{Type}:Parameters:count:Min"] = "16",
        [$"TaskTypes:{Type}:Parameters:count:Max"] = "4096",
        [$"TaskTypes:{Type}:Parameters:count:Default"] = "320",
        [$"TaskTypes:{Type}:Parameters:ratio:Type"] = "number",
        [$"TaskTypes:{Type}:Parameters:ratio:Max"] = "10",
        [$"TaskTypes:{Type}:Parameters:ratio:Default"] = "1.50",
        [$"TaskTypes:{Type}:Parameters:flag:Type"] = "boolean",
        [$"TaskTypes:{Type}:Parameters:flag:Default"] = "False",
        [$"TaskTypes:{Type}:Parameters:preset:Type"] = "enum",
        [$"TaskTypes:{Type}:Parameters:preset:Values:0"] = "fast",
        [$"TaskTypes:{Type}:Parameters:preset:Values:1"] = "slow",
        [$"TaskTypes:{Type}:Parameters:preset:Default"] = "fast",
    };
}

public sealed class TaskParametersTests(ParameterTypesDatabase fixture) : IClassFixture<ParameterTypesDatabase>
{
    private static string Quoted(string text) => JsonSerializer.Serialize(text);

    /// <summary>Values built to break out of their argument: separators of ffmpeg's filter graphs (<c>, ; [ ]</c>)
    /// and option lists (<c>: =</c>), quoting, options, paths, control characters, length; and values of the wrong
    /// JSON type, which a lenient parser would turn into something else.</summary>
    public static TheoryData<string, string> HostileValues()
    {
        var data = new TheoryData<string, string>();
        foreach (var text in new[]
                 {
                     "a:b", "x,y", "[out]", "a;b", "a=b", "-i", "--help", "../../etc/passwd", "..", ".hidden", "a b", "a\nb", "a\rb",
                     "a\tb", "a\u0000b", "a\u001b[31m", "a\u0085b", "a\u202eb", "a\u2028b", new string('y', 10_000), "'q'", "\"q\"",
                     "a\\b", "a/b", "file:x", "a%d", "", "é",
                 })
        {
            data.Add("text", Quoted(text));
        }
        foreach (var json in new[] { "320", "true", "null", "{}", "[]", "[\"clip\"]" })
        {
            data.Add("text", json);
        }
        foreach (var json in new[] { "\"320\"", "320.5", "1e30", "1e400", "-1", "99999", "15", "4097", "1e-40", "true", "null", "{}", "[]" })
        {
            data.Add("count", json);
        }
        foreach (var json in new[] { "\"1\"", "1e400", "-1e400", "11", "10.0000001", "-0.5", "1e-40", "true", "null", "[1]" })
        {
            data.Add("ratio", json);
        }
        foreach (var json in new[] { "\"true\"", "\"false\"", "1", "0", "null", "[true]" })
        {
            data.Add("flag", json);
        }
        foreach (var json in new[] { "\"medium\"", "\"Fast\"", "\"FAST\"", "\"fast \"", "\" fast\"", "\"fast\\u0000\"", "\"\"", "1", "null", "[\"fast\"]" })
        {
            data.Add("preset", json);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(HostileValues))]
    public async Task A_value_that_does_not_fit_its_type_is_refused_at_submission_naming_the_parameter_and_nothing_is_enqueued(string parameter, string json)
    {
        // The fixture's database is shared by this class's tests, which xunit runs one at a time.
        var before = (await fixture.Db.Reader.ListAsync(TaskFilter.All, 1, 1)).Total;

        var error = await Assert.ThrowsAsync<TaskValidationException>(() => fixture.Intake.EnqueueAsync(
            new TaskSubmission { Type = ParameterTypesDatabase.Type, Parameters = Json($$"""{"{{parameter}}":{{json}}}""") }, Actor.System));

        var (field, messages) = Assert.Single(error.Errors);
        Assert.Equal($"parameters.{parameter}", field);
        Assert.StartsWith($"{parameter} must be ", Assert.Single(messages), StringComparison.Ordinal);
        Assert.Equal(before, (await fixture.Db.Reader.ListAsync(TaskFilter.All, 1, 1)).Total);
    }

    [Fact]
    public async Task Values_that_fit_are_enqueued_as_sent()
    {
        var (task, created) = await fixture.Intake.EnqueueAsync(
            new TaskSubmission
            {
                Type = ParameterTypesDatabase.Type,
                Parameters = Json("""{"text":"clip-01.v2","count":4096,"ratio":0.25,"flag":true,"preset":"slow"}"""),
                IdempotencyKey = "fits",
            },
            Actor.System);

        Assert.True(created);
        Assert.Equal("""{"text":"clip-01.v2","count":4096,"ratio":0.25,"flag":true,"preset":"slow"}""", task.Parameters);
    }

    [Fact]
    public async Task Parameters_left_out_are_stored_with_their_defaults_typed_as_declared()
    {
        var (task, created) = await fixture.Intake.EnqueueAsync(
            new TaskSubmission { Type = ParameterTypesDatabase.Type, Parameters = Json("""{"count":64}"""), IdempotencyKey = "defaults" },
            Actor.System);

        Assert.True(created);
        // What the task runs with is on record: a later change of a default does not change a queued task.
        Assert.Equal("""{"count":64,"text":"clip","ratio":1.5,"flag":false,"preset":"fast"}""", task.Parameters);

        // The same submission again is the same task, not a conflict with its own stored defaults.
        var (repeat, again) = await fixture.Intake.EnqueueAsync(
            new TaskSubmission { Type = ParameterTypesDatabase.Type, Parameters = Json("""{"count":64}"""), IdempotencyKey = "defaults" },
            Actor.System);
        Assert.False(again);
        Assert.Equal(task.Id, repeat.Id);
    }

    [Theory]
    [InlineData("integer", "320", "320")]
    [InlineData("integer", "320.0", "320")]
    [InlineData("integer", "3.2E2", "320")]
    [InlineData("integer", "1e3", "1000")]
    [InlineData("integer", "0", "0")]
    [InlineData("integer", "9223372036854775807", "9223372036854775807")]
    [InlineData("number", "2.50", "2.5")]
    [InlineData("number", "1e3", "1000")]
    [InlineData("number", "1E-3", "0.001")]
    [InlineData("number", "-0", "0")]
    [InlineData("number", "0.0000000000000000000000000001", "0.0000000000000000000000000001")]
    [InlineData("number", "12345678901234567890", "12345678901234567890")]
    [InlineData("boolean", "true", "true")]
    [InlineData("boolean", "false", "false")]
    [InlineData("enum", "\"slow\"", "slow")]
    [InlineData("string", "\"Clip_01.v2-final\"", "Clip_01.v2-final")]
    public void A_value_that_fits_becomes_canonical_text_without_exponent_or_trailing_zeros(string type, string json, string text)
    {
        var parameter = Declare(new TaskParameterOptions { Type = type, Values = type == "enum" ? ["fast", "slow"] : null });
        Assert.True(parameter.TryRead(Json(json), out var canonical, out var problem), problem);
        Assert.Equal(text, canonical);
    }

    [Theory]
    [InlineData("integer", null, null, "an integer of at least 0")]
    [InlineData("integer", "16", "3840", "an integer from 16 to 3840, a multiple of 2")]
    [InlineData("number", "-1.5", null, "a number of at least -1.5")]
    [InlineData("number", "0", "0.75", "a number from 0 to 0.75")]
    public void The_rule_names_the_bounds(string type, string? min, string? max, string rule)
    {
        var parameter = Declare(new TaskParameterOptions
        {
            Type = type,
            Min = min is null ? null : decimal.Parse(min, System.Globalization.CultureInfo.InvariantCulture),
            Max = max is null ? null : decimal.Parse(max, System.Globalization.CultureInfo.InvariantCulture),
            MultipleOf = max == "3840" ? 2 : null,
        });
        Assert.Equal(rule, parameter.Rule);
    }

    [Fact]
    public void A_negative_number_is_refused_unless_the_declaration_allows_it()
    {
        Assert.False(Declare(new TaskParameterOptions { Type = "integer" }).TryRead(Json("-1"), out _, out var problem));
        Assert.Equal("p must be an integer of at least 0 (got a number out of range)", problem);

        Assert.True(Declare(new TaskParameterOptions { Type = "integer", Min = -10 }).TryRead(Json("-1"), out var text, out _));
        Assert.Equal("-1", text);
    }

    [Fact]
    public void An_odd_size_is_refused_when_the_declaration_asks_for_a_multiple()
    {
        var width = Declare(new TaskParameterOptions { Type = "integer", Min = 16, Max = 3840, MultipleOf = 2 });
        Assert.False(width.TryRead(Json("321"), out _, out var problem));
        Assert.Equal("p must be an integer from 16 to 3840, a multiple of 2 (got a number that is not a multiple of 2)", problem);
        Assert.True(width.TryRead(Json("322"), out _, out _));
    }

    [Fact]
    public void A_declared_pattern_must_match_the_whole_value_and_the_fixed_rules_still_apply()
    {
        var language = Declare(new TaskParameterOptions { Type = "string", Pattern = "[a-z]{2}(-[A-Z]{2})?", MaxLength = 5 });
        Assert.True(language.TryRead(Json("\"fr-CA\""), out var text, out _));
        Assert.Equal("fr-CA", text);
        // Anchored although the pattern is not: a match inside the value is not enough.
        Assert.False(language.TryRead(Json("\"xfr-CAx\""), out _, out _));
        Assert.False(language.TryRead(Json("\"fr\\n\""), out _, out _));

        // Whatever the pattern allows, a leading '-', control characters and over-long text are refused.
        var anything = Declare(new TaskParameterOptions { Type = "string", Pattern = "(?s).*", MaxLength = 8 });
        Assert.True(anything.TryRead(Json("\"a b:c,d\""), out _, out _));
        foreach (var (json, reason) in new[] { ("\"-x\"", "text starting with '-'"), ("\"a\\u0007\"", "a control"), ("\"123456789\"", "9 characters"), ("\"\"", "empty text") })
        {
            Assert.False(anything.TryRead(Json(json), out _, out var problem));
            Assert.Contains($"(got {reason}", problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_pattern_built_for_catastrophic_backtracking_answers_at_once()
    {
        var parameter = Declare(new TaskParameterOptions { Type = "string", Pattern = "(a+)+b", MaxLength = 4096 });
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(parameter.TryRead(Json(Quoted(new string('a', 4000) + "!")), out _, out _));
        // A backtracking engine needs longer than the universe's age for this; the linear one, milliseconds.
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed}");
    }

    private static TaskParameter Declare(TaskParameterOptions options)
    {
        var errors = new List<string>();
        var schema = TaskParameterSchema.Compile("TaskTypes:t", new Dictionary<string, TaskParameterOptions> { ["p"] = options }, [], errors);
        Assert.Empty(errors);
        return Assert.Single(schema.Parameters);
    }
}
