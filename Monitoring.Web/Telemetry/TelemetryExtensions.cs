using Microsoft.Extensions.Options;
using Monitoring.Core.Tasks;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Monitoring.Web.Telemetry;

/// <summary>OpenTelemetry export (<c>Telemetry:*</c>). Off unless <c>OtlpEndpoint</c> is set.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";
    public const string HttpProtobuf = "http/protobuf";
    public const string Grpc = "grpc";

    /// <summary>The OTLP receiver, e.g. <c>http://127.0.0.1:4318</c> (http/protobuf; <c>/v1/traces</c> is appended
    /// unless the path already ends with it) or <c>http://127.0.0.1:4317</c> (grpc).</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>http/protobuf</c> (default) or <c>grpc</c>, as in OTEL_EXPORTER_OTLP_PROTOCOL.</summary>
    public string OtlpProtocol { get; set; } = HttpProtobuf;

    internal Uri? TracesEndpoint()
    {
        if (!Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var endpoint))
        {
            return null;
        }

        // The exporter uses a programmatic endpoint as given; only its environment variable gets the signal path added.
        return OtlpProtocol == Grpc || endpoint.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal)
            ? endpoint
            : new Uri(endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/v1/traces");
    }
}

internal sealed class ValidateTelemetryOptions : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint)
            && (!Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"{TelemetryOptions.Section}:{nameof(TelemetryOptions.OtlpEndpoint)} must be an absolute http:// or https:// URL.");
        }

        if (options.OtlpProtocol is not (TelemetryOptions.HttpProtobuf or TelemetryOptions.Grpc))
        {
            errors.Add($"{TelemetryOptions.Section}:{nameof(TelemetryOptions.OtlpProtocol)} must be '{TelemetryOptions.HttpProtobuf}' or '{TelemetryOptions.Grpc}' (was '{options.OtlpProtocol}').");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

public static class TelemetryExtensions
{
    /// <summary>With <c>Telemetry:OtlpEndpoint</c> set, exports the task traces (<see cref="TaskTracing"/>) and
    /// ASP.NET Core request spans over OTLP. Without it nothing is registered: no listener, so tracing costs nothing.</summary>
    public static WebApplicationBuilder AddMonitoringTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TelemetryOptions>, ValidateTelemetryOptions>();
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        // An invalid endpoint is left to the validation above, which stops start-up naming the key.
        if (string.IsNullOrWhiteSpace(options.OtlpEndpoint) || options.TracesEndpoint() is not { } endpoint)
        {
            return builder;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("monitoring"))
            .WithTracing(tracing => tracing
                .AddSource(TaskTracing.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsNoise(context.Request.Path))
                .AddOtlpExporter(o =>
                {
                    o.Endpoint = endpoint;
                    o.Protocol = options.OtlpProtocol == TelemetryOptions.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                }));
        return builder;
    }

    // Scrapes, probes, the Blazor circuit and static files would drown the API requests worth tracing.
    private static bool IsNoise(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health") || path.StartsWithSegments("/_blazor")
        || path.StartsWithSegments("/_framework") || path.StartsWithSegments("/_content") || path.StartsWithSegments("/lib");
}
