using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.Web.Logs;
using Monitoring.Tests.Support;

namespace Monitoring.Tests.Logs;

public sealed class LoggingSetupTests
{
    [Fact]
    public async Task Each_host_has_its_own_logger_and_disposing_one_leaves_the_others_and_the_static_logger_alone()
    {
        var staticLogger = Serilog.Log.Logger;
        var first = await LogsHost.StartAsync();
        await using var second = await LogsHost.StartAsync();

        first.Logger("Test").LogInformation("only in the first host");
        await first.DisposeAsync();
        second.Logger("Test").LogInformation("the second host still logs");

        Assert.Same(staticLogger, Serilog.Log.Logger);
        Assert.Equal(["the second host still logs"], second.Buffer.Query(new LogQuery { Source = "Test" }).Select(e => e.Message));
        Assert.Contains(File.ReadAllLines(Assert.Single(Directory.GetFiles(second.Folder.Path))), l => l.Contains("still logs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_hosts_on_one_data_folder_append_whole_lines_to_the_same_file()
    {
        using var data = new TempDirectory();
        await using var first = await LogsHost.StartAsync(dataDirectory: data.Path);
        await using var second = await LogsHost.StartAsync(dataDirectory: data.Path);

        for (var i = 0; i < 20; i++)
        {
            first.Logger("Test").LogInformation("first {I}", i);
            second.Logger("Test").LogInformation("second {I}", i);
        }

        var lines = File.ReadAllLines(Assert.Single(Directory.GetFiles(first.Folder.Path)));
        Assert.Equal(40, lines.Count(l => ClefFile.TryParse(l)?.Source == "Test"));
        var found = await second.App.Services.GetRequiredService<LogSearch>().SearchAsync(new LogQuery { Source = "Test" });
        Assert.Equal(40, found.Entries.Count);
    }

    public static TheoryData<string?, string?, string, bool> Levels() => new()
    {
        // Serilog:MinimumLevel:Default, Logging:LogLevel:Default, category, is an Information event kept?
        { null, null, "Monitoring.Core.Tasks.TaskQueue", true },
        { null, null, "Microsoft.AspNetCore.Routing.EndpointMiddleware", false },
        { null, null, "Microsoft.EntityFrameworkCore.Database.Command", false },
        { null, "Warning", "Monitoring.Core.Tasks.TaskQueue", false },
        { "Warning", null, "Monitoring.Core.Tasks.TaskQueue", false },
        { "Debug", "Warning", "Monitoring.Core.Tasks.TaskQueue", true },
    };

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task Minimum_levels_come_from_Serilog_settings_then_Logging_settings_then_defaults(
        string? serilogDefault, string? loggingDefault, string category, bool kept)
    {
        var settings = new Dictionary<string, string?>();
        if (serilogDefault is not null)
        {
            settings["Serilog:MinimumLevel:Default"] = serilogDefault;
        }

        if (loggingDefault is not null)
        {
            settings["Logging:LogLevel:Default"] = loggingDefault;
        }

        await using var host = await LogsHost.StartAsync(settings);

        host.Logger(category).LogInformation("an information event");
        host.Logger(category).LogWarning("a warning event");

        var messages = host.Buffer.Query(new LogQuery { Source = category }).Select(e => e.Message).ToList();
        Assert.Contains("a warning event", messages);
        Assert.Equal(kept, messages.Contains("an information event"));
    }

    [Fact]
    public async Task Bad_logging_settings_stop_start_up_naming_the_key()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            LogsHost.StartAsync(new Dictionary<string, string?> { ["Logs:RetainedFileCount"] = "0" }));

        Assert.Contains("RetainedFileCount", error.Message, StringComparison.Ordinal);
    }
}
