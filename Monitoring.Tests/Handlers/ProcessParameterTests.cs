using Monitoring.Core.Handlers;
using static Monitoring.Tests.Handlers.HandlerRuns;

namespace Monitoring.Tests.Handlers;

public sealed class ProcessParameterTests
{
    private const string Type = "render";

    private static readonly ProcessTaskHandler Handler = ProcessHandler(
        Type,
        [("name", Text()), ("height", Integer(16, 4096, @default: "240")), ("width", Integer(16, 4096))],
        "printf", "%s|", "size={width}x{height}", "{name}", "{output_dir}/{task_id}-{attempt}.txt", "{{literal}}");

    [Fact]
    public void Declarations_are_listed_in_the_order_the_arguments_use_them_and_built_ins_are_not_parameters()
    {
        var definition = Assert.Single(Handler.Types);
        Assert.Equal(Type, definition.Name);
        Assert.Equal(ProcessTaskHandler.HandlerName, definition.Handler);
        Assert.Equal(["width", "height", "name"], definition.Parameters);
        Assert.Equal(
            ["width integer from 16 to 4096 default -", "height integer from 16 to 4096 default 240", "name string - default -"],
            definition.ParameterSchema!.Parameters.Select(p =>
                $"{p.Name} {p.TypeName} {(p.Min is { } min ? $"from {min} to {p.Max}" : "-")} default {p.Default ?? "-"}"));
    }

    [Theory]
    [InlineData("""{"width":320,"height":480,"name":"clip"}""", null, null)]
    [InlineData("""{"width":320,"name":"clip"}""", null, null)]
    [InlineData("""{"height":240,"name":"clip"}""", "width", "width is required: an integer from 16 to 4096")]
    [InlineData("""{"width":320}""", "name", "name is required: text of 1 to 256 characters matching")]
    [InlineData("""{"width":"320","name":"clip"}""", "width", "width must be an integer from 16 to 4096 (got a string)")]
    [InlineData("""{"width":-320,"name":"clip"}""", "width", "width must be an integer from 16 to 4096 (got a number out of range)")]
    [InlineData("""{"width":320,"name":"-rf"}""", "name", "name must be text of 1 to 256 characters matching ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$, not starting with '-' (got text starting with '-'")]
    [InlineData("""{"width":320,"name":"a b \"c\""}""", "name", "name must be text of 1 to 256 characters")]
    [InlineData("""{"width":320,"width":321,"name":"clip"}""", "width", "width is given twice")]
    [InlineData("""{"width":320,"name":"clip","depth":8}""", null, "unknown parameter 'depth'; accepted: width, height, name")]
    [InlineData("""{"width":320,"name":"clip","task_id":1}""", null, "unknown parameter 'task_id'")]
    [InlineData("""[320,240]""", null, "parameters must be a JSON object, not array")]
    [InlineData("\"320x240\"", null, "parameters must be a JSON object, not string")]
    public void Parameters_are_checked_against_their_declarations_naming_the_parameter(string parameters, string? parameter, string? problem)
    {
        var problems = Handler.ValidateParameters(Type, Json(parameters));
        if (problem is null)
        {
            Assert.Empty(problems);
            return;
        }
        var found = Assert.Single(problems);
        Assert.Equal(parameter, found.Parameter);
        Assert.Equal(parameter is null ? "parameters" : $"parameters.{parameter}", found.Field);
        Assert.StartsWith(problem, found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_and_an_invalid_parameter_is_not_also_missing()
    {
        var problems = Handler.ValidateParameters(Type, Json("""{"width":"-1","extra":1}"""));
        Assert.Equal(
            [
                "width: width must be an integer from 16 to 4096 (got a string)",
                ": unknown parameter 'extra'; accepted: width, height, name",
                "name: name is required: text of 1 to 256 characters matching ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$, not starting with '-'",
            ],
            problems.Select(p => $"{p.Parameter}: {p.Message}"));
    }

    [Fact]
    public void Thousands_of_unknown_parameters_give_a_bounded_answer()
    {
        var names = string.Join(",", Enumerable.Range(0, 5000).Select(i => $"\"p{i}\":0"));
        var problems = Handler.ValidateParameters(Type, Json($$"""{"width":320,"name":"clip",{{names}}}"""));
        Assert.Equal(11, problems.Count);
        Assert.Equal("and 4990 more unknown parameters", problems[^1].Message);
    }

    [Fact]
    public void A_type_without_placeholders_accepts_no_parameters_or_none_at_all()
    {
        var handler = ProcessHandler("plain", "true");
        Assert.Empty(handler.ValidateParameters("plain", default));
        Assert.Empty(handler.ValidateParameters("plain", Json("null")));
        Assert.Empty(handler.ValidateParameters("plain", Json("{}")));
        Assert.Equal(["unknown parameter 'x'; this task type takes none"], handler.ValidateParameters("plain", Json("""{"x":1}""")).Select(p => p.Message));
        Assert.Equal(["unknown task type 'other' for the process handler"], handler.ValidateParameters("other", Json("{}")).Select(p => p.Message));
    }

    [Fact]
    public async Task Placeholders_are_substituted_inside_arguments_with_defaults_and_each_argument_stays_one()
    {
        using var directory = new Support.TempDirectory();
        var output = Path.Combine(directory.Path, "out");
        var result = await Handler.RunAsync(
            Run(Type, """{"width":320,"name":"clip-01.v2"}""", output, taskId: 42, attempt: 3),
            CancellationToken.None);

        // printf "%s|" prints each argument followed by '|'.
        Assert.Equal($"[out] size=320x240|clip-01.v2|{output}/42-3.txt|{{literal}}|", result.OutputTail);
    }

    [Fact]
    public async Task Substitution_inserts_the_canonical_text_of_each_value_not_what_was_sent()
    {
        var handler = ProcessHandler(
            "canonical",
            [
                ("rate", new TaskParameterOptions { Type = "number", Max = 100 }),
                ("tiny", new TaskParameterOptions { Type = "number" }),
                ("count", Integer(0, 5000)),
                ("flag", new TaskParameterOptions { Type = "boolean" }),
                ("preset", new TaskParameterOptions { Type = "enum", Values = ["fast", "slow"] }),
            ],
            "printf", "%s|", "{rate}", "{tiny}", "{count}", "{flag}", "{preset}");
        using var directory = new Support.TempDirectory();

        var result = await handler.RunAsync(
            Run("canonical", """{"rate":2.50,"tiny":1E-3,"count":1e3,"flag":true,"preset":"slow"}""", directory.Path),
            CancellationToken.None);

        Assert.Equal("[out] 2.5|0.001|1000|true|slow|", result.OutputTail);
    }

    [Fact]
    public async Task A_row_whose_parameters_no_longer_fit_is_rejected_at_run_time_and_nothing_runs()
    {
        using var directory = new Support.TempDirectory();
        var rejected = await Assert.ThrowsAsync<TaskRejectedException>(() =>
            Handler.RunAsync(Run(Type, """{"width":320,"name":"-rf","x":1}""", directory.Path), CancellationToken.None));
        Assert.Equal(
            "name must be text of 1 to 256 characters matching ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$, not starting with '-' (got text starting with '-', which reads as an option); " +
            "unknown parameter 'x'; accepted: width, height, name",
            rejected.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory.Path));
    }
}
