using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Monitoring.Core.Handlers;

public static class HandlersServiceCollectionExtensions
{
    /// <summary>Registers the process and demo handlers, their options (<c>TaskTypes</c>, <c>Demo</c>) and
    /// the <see cref="TaskTypeRegistry"/>. Bad configuration stops start-up, naming the key.</summary>
    public static IServiceCollection AddTaskHandlers(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        // The section's children are type names, not properties, so it is bound into the dictionary itself.
        services.AddOptions<TaskTypesOptions>()
            .Configure<IConfiguration>((options, configuration) => configuration.GetSection(TaskTypesOptions.Section).Bind(options.Types))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TaskTypesOptions>, ValidateTaskTypesOptions>());
        services.AddOptions<DemoHandlerOptions>().BindConfiguration(DemoHandlerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITaskHandler, ProcessTaskHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITaskHandler, DemoTaskHandler>());
        services.TryAddSingleton<TaskTypeRegistry>();
        return services;
    }
}
