using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Monitoring.Core.Metrics;

public static class MetricStoreExtensions
{
    /// <summary>Registers the <see cref="MetricStore"/> and its retention settings (<c>Metrics:*</c>).</summary>
    public static IServiceCollection AddMetricStore(this IServiceCollection services)
    {
        services.AddOptions<MetricStoreOptions>().BindConfiguration(MetricStoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MetricStoreOptions>, ValidateMetricStoreOptions>());
        services.AddSingleton<MetricStore>();
        return services;
    }
}
