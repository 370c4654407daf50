using Monitoring.Core.Handlers;
using static Monitoring.Tests.Handlers.HandlerRuns;

namespace Monitoring.Tests.Handlers;

public sealed class ProcessParameterTests
{
    private const string Type = "render";

    private static readonly ProcessTaskHandler Handler =
        ProcessHandler(Type, "printf", "%s|", "size={width}x{height}", "{name}", "{output_dir}/{task_id}-{attempt}.txt", "{{literal}}");

    [Fact]
    public void Placeholders_are_the_parameters_and_built_ins_are_not()
    {
        var definition = Assert.Single(Handler.Types);
        Assert.Equal(Type, definition.Name);
        Assert.Equal(ProcessTaskHandler.HandlerName, definition.Handler);
        Assert.Equal(["width", "height", "name"], definition.Parameters);
    }

    [Theory]
    [InlineData("""{"width":320,"height":240,"name":"clip"}""", null)]
    [InlineData("""{"width":"320","height":true,"name":"a b \"c\""}""", null)]
    [InlineData("""{"width":320,"height":240}""", "missing parameter 'name'")]
    [InlineData("""{}""", "missing parameter 'width'")]
    [InlineData("""{"width":320,"height":240,"name":"clip","depth":8}""", "unknown parameter 'depth'; accepted: width, height, name")]
    [InlineData("""{"width":320,"height":240,"name":"clip","task_id":1}""", "unknown parameter 'task_id'")]
    [InlineData("""{"width":320,"height":240,"name":"-rf"}""", "parameter 'name' must not start with '-' (it would be read as an option)")]
    [InlineData("""{"width":320,"height":240,"name":"--output=/etc/passwd"}""", "parameter 'name' must not start with '-'")]
    [InlineData("""{"width":-320,"height":240,"name":"clip"}""", "parameter 'width' must not start with '-'")]
    [InlineData("""{"width":320,"height":240,"name":"a\nb"}""", "parameter 'name' must not contain NUL or line breaks")]
    [InlineData("""{"width":320,"height":240,"name":"a\rb"}""", "parameter 'name' must not contain NUL or line breaks")]
    [InlineData("""{"width":320,"height":240,"name":"a\u0000b"}""", "parameter 'name' must not contain NUL or line breaks")]
    [InlineData("""{"width":[320],"height":240,"name":"clip"}""", "parameter 'width' must be a string, number or boolean, not array")]
    [InlineData("""{"width":{"px":320},"height":240,"name":"clip"}""", "parameter 'width' must be a string, number or boolean, not object")]
    [InlineData("""{"width":null,"height":240,"name":"clip"}""", "parameter 'width' must be a string, number or boolean, not null")]
    [InlineData("""{"width":320,"width":321,"height":240,"name":"clip"}""", "parameter 'width' is given twice")]
    [InlineData("""[320,240]""", "parameters must be a JSON object, not array")]
    [InlineData("\"320x240\"", "parameters must be a JSON object, not string")]
    public void Parameters_are_checked_against_the_placeholders(string parameters, string? problem)
    {
        var problems = Handler.ValidateParameters(Type, Json(parameters));
        if (problem is null)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Contains(problems, p => p.StartsWith(problem, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Every_problem_is_reported_and_an_invalid_parameter_is_not_also_missing()
    {
        var problems = Handler.ValidateParameters(Type, Json("""{"width":"-1","extra":1}"""));
        Assert.Equal(4, problems.Count);
        Assert.Contains("unknown parameter 'extra'; accepted: width, height, name", problems);
        Assert.Contains("parameter 'width' must not start with '-' (it would be read as an option)", problems);
        Assert.Contains("missing parameter 'height'", problems);
        Assert.Contains("missing parameter 'name'", problems);
    }

    [Fact]
    public void A_type_without_placeholders_accepts_no_parameters_or_none_at_all()
    {
        var handler = ProcessHandler("plain", "true");
        Assert.Empty(handler.ValidateParameters("plain", default));
        Assert.Empty(handler.ValidateParameters("plain", Json("null")));
        Assert.Empty(handler.ValidateParameters("plain", Json("{}")));
        Assert.Equal(["unknown parameter 'x'; task type 'plain' takes none"], handler.ValidateParameters("plain", Json("""{"x":1}""")));
        Assert.Equal(["unknown task type 'other' for the process handler"], handler.ValidateParameters("other", Json("{}")));
    }

    [Fact]
    public async Task Placeholders_are_substituted_inside_arguments_and_each_argument_stays_one()
    {
        using var directory = new Support.TempDirectory();
        var output = Path.Combine(directory.Path, "out");
        var result = await Handler.RunAsync(
            Run(Type, """{"width":320,"height":240,"name":"a b \"c\" \\d 'e' $HOME;*"}""", output, taskId: 42, attempt: 3),
            CancellationToken.None);

        // printf "%s|" prints each argument followed by '|': spaces, quotes, backslashes, '$' and globs arrive unchanged.
        Assert.Equal(
            $"[out] size=320x240|a b \"c\" \\d 'e' $HOME;*|{output}/42-3.txt|{{literal}}|",
            result.OutputTail);
    }

    [Fact]
    public async Task Running_with_bad_parameters_is_rejected()
    {
        using var directory = new Support.TempDirectory();
        var rejected = await Assert.ThrowsAsync<TaskRejectedException>(() =>
            Handler.RunAsync(Run(Type, """{"width":320,"height":240,"name":"-rf"}""", directory.Path), CancellationToken.None));
        Assert.Contains("parameter 'name' must not start with '-'", rejected.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(directory.Path));
    }
}
