using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CliWrap;
using Microsoft.Extensions.Options;

namespace Monitoring.Core.Handlers;

/// <summary>Runs the task types an admin configured under <c>TaskTypes</c>: one executable per type,
/// arguments from templates filled with the task's parameters, passed as a list and never through a shell.</summary>
public sealed class ProcessTaskHandler : ITaskHandler
{
    public const string HandlerName = "process";

    /// <summary>Most output file names listed in a result; the rest are counted.</summary>
    private const int MaxListedFiles = 1000;

    private readonly Dictionary<string, ProcessType> _types = new(StringComparer.Ordinal);
    private readonly TaskProcessOwner? _owner;

    /// <param name="owner">Tags every task process with this host instance and database, so a successor can
    /// find and kill what a crash left running; null (a handler outside a host) leaves them untagged.</param>
    public ProcessTaskHandler(IOptions<TaskTypesOptions> options, TaskProcessOwner? owner = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _owner = owner;
        var value = options.Value;
        // Start-up validation normally catches bad configuration first; this covers a handler built without it.
        var validation = new ValidateTaskTypesOptions().Validate(Options.DefaultName, value);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(TaskTypesOptions), validation.Failures);
        }
        foreach (var (name, definition) in value.Types)
        {
            _types.Add(name, ProcessType.Create(name, definition));
        }
        Types = [.. _types.Values.Select(t => t.Definition).OrderBy(d => d.Name, StringComparer.Ordinal)];
    }

    public string Name => HandlerName;

    public IReadOnlyList<TaskTypeDefinition> Types { get; }

    public IReadOnlyList<ParameterProblem> ValidateParameters(string type, JsonElement parameters) =>
        _types.TryGetValue(type, out var processType)
            ? processType.Schema.Validate(parameters, out _)
            : [new(null, $"unknown task type '{type}' for the {HandlerName} handler")];

    public async Task<TaskResult> RunAsync(TaskRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!_types.TryGetValue(run.Type, out var type))
        {
            throw new TaskRejectedException($"unknown task type '{run.Type}' for the {HandlerName} handler");
        }
        // Checked again: the row may predate a change of the type's declarations. Only the canonical text of
        // values that fit is ever substituted.
        var problems = type.Schema.Validate(run.Parameters, out var values);
        if (problems.Count > 0)
        {
            throw new TaskRejectedException(string.Join("; ", problems.Select(p => p.Message)));
        }
        cancellationToken.ThrowIfCancellationRequested();

        Directory.CreateDirectory(run.OutputDirectory);
        values["task_id"] = run.TaskId.ToString(CultureInfo.InvariantCulture);
        values["attempt"] = run.Attempt.ToString(CultureInfo.InvariantCulture);
        values["output_dir"] = run.OutputDirectory;
        var arguments = type.Args.Select(a => a.Render(name => values[name])).ToList();
        var logPath = Path.Combine(run.OutputDirectory, LogFileName(run.Attempt));

        CommandResult result;
        var output = new ProcessOutput(logPath, run.Progress);
        await using (output)
        {
            output.Note($"# {type.Command} {string.Join(' ', arguments)}");
            var marker = Guid.NewGuid().ToString("N");
            var command = Cli.Wrap(type.Command)
                // The list overload: each item stays one argument, whatever it contains.
                .WithArguments(arguments)
                .WithWorkingDirectory(run.OutputDirectory)
                .WithEnvironmentVariables(Environment(type, run, marker, _owner))
                .WithStandardOutputPipe(PipeTarget.Create(output.ReadStdoutAsync))
                .WithStandardErrorPipe(PipeTarget.Create(output.ReadStderrAsync))
                .WithValidation(CommandResultValidation.None);
            Task<List<string>>? leftovers = null;
            using var stopWaiting = new CancellationTokenSource();
            try
            {
                // The forceful token: on cancel CliWrap calls Process.Kill(entireProcessTree: true), so the
                // children a script started die with it; what escaped the tree is killed by the marker.
                var execution = command.ExecuteAsync(cancellationToken);
                leftovers = LeftoverProcesses.KillAfterExitAsync(execution.ProcessId, marker, stopWaiting.Token);
                result = await execution;
            }
            catch (Win32Exception ex)
            {
                // Rejected, not failed: a missing or non-executable command will not appear by retrying;
                // an admin has to fix TaskTypes:<type>:Command first.
                output.Note($"# could not start: {ex.Message}");
                throw new TaskRejectedException(
                    $"cannot start '{type.Command}' for task type '{type.Definition.Name}': {ex.InnerException?.Message ?? ex.Message} " +
                    $"(check {TaskTypesOptions.Section}:{type.Definition.Name}:Command)");
            }
            catch (OperationCanceledException)
            {
                output.Note("# cancelled: process tree killed");
                throw;
            }
            finally
            {
                if (leftovers is not null)
                {
                    await stopWaiting.CancelAsync();
                    var killed = await leftovers;
                    if (killed.Count > 0)
                    {
                        output.Note($"# killed {killed.Count} process(es) left behind: {string.Join("; ", killed)}");
                    }
                }
            }
            output.Note($"# exit code {result.ExitCode} after {result.RunTime.TotalSeconds:0.###} s");
        }

        if (result.ExitCode != 0)
        {
            var stderr = output.StderrTail;
            throw new TaskFailedException(
                $"{type.Command} exited with code {result.ExitCode}: {(stderr.Length > 0 ? stderr : "(nothing on stderr)")}",
                output.Tail);
        }
        return new TaskResult(ResultJson(result.ExitCode, run.OutputDirectory), output.Tail);
    }

    internal static string LogFileName(int attempt) => $"attempt-{attempt.ToString(CultureInfo.InvariantCulture)}.log";

    private static Dictionary<string, string?> Environment(ProcessType type, TaskRun run, string marker, TaskProcessOwner? owner)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in type.Environment)
        {
            environment[name] = value;
        }
        // Empty, not unset: with the variable unset CUDA shows a process every GPU, with it empty none.
        environment[ValidateTaskTypesOptions.GpuVariable] = run.GpuUuid ?? "";
        LeftoverProcesses.Mark(environment, marker, owner, run.TaskId);
        // The first-start admin password is the server's secret, not the task's.
        environment["MONITORING_ADMIN_PASSWORD"] = null;
        return environment;
    }

    private static string ResultJson(int exitCode, string outputDirectory)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("exitCode", exitCode);
            json.WriteString("outputDirectory", outputDirectory);
            json.WriteStartArray("files");
            var files = OutputFiles(outputDirectory);
            foreach (var file in files.Take(MaxListedFiles))
            {
                json.WriteStringValue(file);
            }
            json.WriteEndArray();
            if (files.Count > MaxListedFiles)
            {
                json.WriteNumber("filesNotListed", files.Count - MaxListedFiles);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Files under the output directory, relative and sorted, without the attempt logs.</summary>
    private static List<string> OutputFiles(string outputDirectory)
    {
        var files = new List<string>();
        foreach (var path in Directory.EnumerateFiles(outputDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(outputDirectory, path);
            if (!IsAttemptLog(relative))
            {
                files.Add(relative);
            }
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private static bool IsAttemptLog(string relativePath) =>
        relativePath.StartsWith("attempt-", StringComparison.Ordinal)
        && relativePath.EndsWith(".log", StringComparison.Ordinal)
        && int.TryParse(relativePath.AsSpan(8, relativePath.Length - 12), NumberStyles.None, CultureInfo.InvariantCulture, out _);

    /// <summary>A configured type, parsed once.</summary>
    private sealed record ProcessType(
        TaskTypeDefinition Definition,
        string Command,
        IReadOnlyList<ArgumentTemplate> Args,
        TaskParameterSchema Schema,
        IReadOnlyDictionary<string, string> Environment)
    {
        public static ProcessType Create(string name, ProcessTaskTypeOptions options)
        {
            var args = (options.Args ?? []).Select(a => ArgumentTemplate.Parse(a ?? "")).ToList();
            var placeholders = args.SelectMany(a => a.Placeholders).Where(p => !ArgumentTemplate.IsBuiltIn(p));
            var errors = new List<string>();
            var schema = TaskParameterSchema.Compile($"{TaskTypesOptions.Section}:{name}", options.Parameters, placeholders, errors);
            if (errors.Count > 0)
            {
                throw new OptionsValidationException(name, typeof(TaskTypesOptions), errors);
            }
            var definition = new TaskTypeDefinition(
                name,
                HandlerName,
                options.RequiresGpu,
                options.GpuMemoryBytes,
                options.TimeoutSeconds,
                options.MaxAttempts,
                schema.Names,
                options.Description,
                schema);
            return new ProcessType(
                definition,
                options.Command,
                args,
                schema,
                new Dictionary<string, string>(options.Environment ?? new Dictionary<string, string>(), StringComparer.Ordinal));
        }
    }
}
