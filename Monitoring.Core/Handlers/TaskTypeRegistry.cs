using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Monitoring.Core.Handlers;

/// <summary>Every task type the server can run, and the handler that runs it.</summary>
public sealed class TaskTypeRegistry
{
    private readonly Dictionary<string, (TaskTypeDefinition Definition, ITaskHandler Handler)> _types = new(StringComparer.Ordinal);

    public TaskTypeRegistry(IEnumerable<ITaskHandler> handlers)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        foreach (var handler in handlers)
        {
            foreach (var definition in handler.Types)
            {
                if (_types.TryGetValue(definition.Name, out var existing))
                {
                    throw new InvalidOperationException(
                        $"task type '{definition.Name}' is defined by both the '{existing.Handler.Name}' and the '{handler.Name}' handler; rename one " +
                        $"(process types are configured under {TaskTypesOptions.Section}:<name>)");
                }
                _types.Add(definition.Name, (definition, handler));
            }
        }
        All = [.. _types.Values.Select(t => t.Definition).OrderBy(d => d.Name, StringComparer.Ordinal)];
    }

    /// <summary>Every task type, sorted by name.</summary>
    public IReadOnlyList<TaskTypeDefinition> All { get; }

    public bool TryGet(string type, [NotNullWhen(true)] out TaskTypeDefinition? definition, [NotNullWhen(true)] out ITaskHandler? handler)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (_types.TryGetValue(type, out var entry))
        {
            (definition, handler) = entry;
            return true;
        }
        definition = null;
        handler = null;
        return false;
    }

    /// <summary>Checks a submission before it is queued. Returns problems keyed by field (<c>type</c>,
    /// <c>parameters</c>, <c>parameters.&lt;name&gt;</c>), ready for a validation problem response; empty when the task can be queued.</summary>
    /// <param name="parameters">The submitted parameters; null or JSON null = none.</param>
    public IReadOnlyDictionary<string, string[]> ValidateSubmission(string type, JsonElement? parameters)
    {
        if (string.IsNullOrWhiteSpace(type))
        {
            return new Dictionary<string, string[]> { ["type"] = ["type is required"] };
        }
        if (!TryGet(type, out _, out var handler))
        {
            return new Dictionary<string, string[]>
            {
                ["type"] = [$"unknown task type '{type}'; known: {string.Join(", ", All.Select(d => d.Name))}"],
            };
        }
        return handler.ValidateParameters(type, parameters ?? default)
            .GroupBy(p => p.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray(), StringComparer.Ordinal);
    }
}
