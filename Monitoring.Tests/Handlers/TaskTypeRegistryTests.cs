using Monitoring.Core.Handlers;
using static Monitoring.Tests.Handlers.HandlerRuns;

namespace Monitoring.Tests.Handlers;

public sealed class TaskTypeRegistryTests
{
    private static readonly DemoTaskHandler Demo = new(new FixedOptions<DemoHandlerOptions>(new DemoHandlerOptions()), TimeProvider.System);

    private static TaskTypeRegistry Registry(params ITaskHandler[] handlers) => new(handlers);

    [Fact]
    public void Types_from_every_handler_are_listed_sorted()
    {
        var registry = Registry(ProcessHandler("b.render", "true"), Demo, ProcessHandler("a.copy", "true"));
        Assert.Equal(["a.copy", "b.render", "demo.noop", "demo.transcription", "demo.video-synthesis"], registry.All.Select(t => t.Name));
        Assert.True(registry.TryGet("demo.noop", out var definition, out var handler));
        Assert.Same(Demo, handler);
        Assert.Equal("demo", definition.Handler);
        Assert.False(registry.TryGet("c", out _, out _));
    }

    [Fact]
    public void A_type_defined_twice_stops_construction_naming_it()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Registry(Demo, ProcessHandler("demo.noop", "true")));
        Assert.StartsWith("task type 'demo.noop' is defined by both the 'demo' and the 'process' handler", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_type_is_refused_listing_the_known_ones()
    {
        var errors = Registry(Demo, ProcessHandler("render", "true")).ValidateSubmission("rendr", null);
        Assert.Equal(["type"], errors.Keys);
        Assert.Equal("unknown task type 'rendr'; known: demo.noop, demo.transcription, demo.video-synthesis, render", Assert.Single(errors["type"]));
    }

    [Fact]
    public void Parameter_problems_come_from_the_handler_keyed_by_the_parameter_they_are_about()
    {
        var registry = Registry(Demo, ProcessHandler("render", [("width", Integer(16, 4096)), ("name", Text())], "echo", "{width}", "{name}"));
        Assert.Empty(registry.ValidateSubmission("render", Json("""{"width":320,"name":"clip"}""")));
        Assert.Empty(registry.ValidateSubmission("demo.noop", null));

        var errors = registry.ValidateSubmission("render", Json("""{"width":"-x","depth":1,"more":2}"""));
        Assert.Equal(["parameters", "parameters.name", "parameters.width"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, errors["parameters"].Length);
        Assert.Equal(["width must be an integer from 16 to 4096 (got a string)"], errors["parameters.width"]);

        Assert.Equal(["width is required: an integer from 16 to 4096"], registry.ValidateSubmission("render", null)["parameters.width"]);
        Assert.Equal(["parameters must be a JSON object, not array"], registry.ValidateSubmission("render", Json("[]"))["parameters"]);
        Assert.Equal(["unknown parameter 'x'; this task type takes none"], registry.ValidateSubmission("demo.noop", Json("""{"x":1}"""))["parameters"]);
        Assert.Equal(["type is required"], registry.ValidateSubmission("", Json("{}"))["type"]);
    }
}
