using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Monitoring.Core;

/// <param name="Key">The configuration key the problem is reported under, e.g. <c>Scheduler:MinBatchSize</c>.</param>
public sealed record SettingProblem(string Key, string Message);

/// <summary>Rules across the fields of one options section, checked against any configuration (the live settings
/// run them on a proposed change before applying it).</summary>
public interface ISettingRules
{
    IEnumerable<SettingProblem> Check(IConfiguration configuration);
}

/// <summary>Rules across fields, written once: start-up runs them as an <see cref="IValidateOptions{TOptions}"/>
/// (with <c>ValidateOnStart</c>, a bad appsettings.json stops the host naming the key), and the live settings run
/// the same rules on a proposed change. Every broken rule is reported, not just the first.</summary>
public abstract class CrossFieldRules<TOptions>(string section) : IValidateOptions<TOptions>, ISettingRules
    where TOptions : class, new()
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = Check(options).Select(p => p.Message).ToList();
        return problems.Count > 0 ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }

    public IEnumerable<SettingProblem> Check(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Check(configuration.GetSection(section).Get<TOptions>() ?? new TOptions());
    }

    protected abstract IEnumerable<SettingProblem> Check(TOptions options);

    protected string Key(string field) => $"{section}:{field}";
}

public static class CrossFieldRulesExtensions
{
    /// <summary>Registers <typeparamref name="TRules"/> as the options validator and as a rule set of the live settings.</summary>
    public static IServiceCollection AddCrossFieldRules<TOptions, TRules>(this IServiceCollection services)
        where TOptions : class, new()
        where TRules : CrossFieldRules<TOptions>
    {
        services.TryAddSingleton<TRules>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TRules>(sp => sp.GetRequiredService<TRules>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISettingRules, TRules>(sp => sp.GetRequiredService<TRules>()));
        return services;
    }
}
