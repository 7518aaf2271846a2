using Azure.Monitor.OpenTelemetry.AspNetCore;
using Coordinator.Orchestration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Coordinator.ServiceDefaults;

/// <summary>
/// OpenTelemetry for every host, registered once: traces, metrics and logs of ASP.NET Core, HttpClient,
/// Npgsql, the Durable Task sources (<c>Microsoft.DurableTask</c>, <c>DurableTask.Core</c>) and the
/// product's own <see cref="CoordinatorTelemetry"/> (<c>Coordinator</c>). Exported by the standard
/// settings: OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (with <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>,
/// <c>OTEL_SERVICE_NAME</c> and the other <c>OTEL_*</c> variables the SDK reads), Azure Monitor when
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set, the console with <see cref="ConsoleSetting"/>;
/// with none, nothing is exported.
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>Prints spans and metrics on the console as well (a local look without a collector): <c>Coordinator__Telemetry__Console=true</c>.</summary>
    public const string ConsoleSetting = "Coordinator:Telemetry:Console";

    /// <summary>The Durable Task SDK's and framework's trace sources.</summary>
    public static readonly IReadOnlyList<string> DurableSources = ["Microsoft.DurableTask", "DurableTask.Core"];

    /// <summary>
    /// Adds OpenTelemetry to <paramref name="builder"/>. <paramref name="serviceName"/> is the
    /// <c>service.name</c> unless <c>OTEL_SERVICE_NAME</c> says otherwise.
    /// </summary>
    public static TBuilder AddCoordinatorTelemetry<TBuilder>(this TBuilder builder, string serviceName)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var console = configuration.GetValue<bool>(ConsoleSetting);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
                    resource.AddService(serviceName, serviceVersion: typeof(CoordinatorTelemetry).Assembly.GetName().Version?.ToString());
            })
            .WithTracing(tracing => tracing
                .AddSource(CoordinatorTelemetry.Name)
                .AddSource([.. DurableSources])
                .AddAspNetCoreInstrumentation(options => options.Filter = static context => !IsProbeOrSidecar(context))
                .AddHttpClientInstrumentation(options => options.FilterHttpRequestMessage = static request => !IsGrpc(request.Content?.Headers.ContentType?.MediaType))
                .AddNpgsql()
                .AddConsoleExporterWhen(console))
            .WithMetrics(metrics => metrics
                .AddMeter(CoordinatorTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddConsoleExporterWhen(console));
        if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            telemetry.UseOtlpExporter();
        if (!string.IsNullOrWhiteSpace(configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
            telemetry.UseAzureMonitor();
        return builder;
    }

    private static TracerProviderBuilder AddConsoleExporterWhen(this TracerProviderBuilder tracing, bool console) =>
        console ? tracing.AddConsoleExporter() : tracing;

    private static MeterProviderBuilder AddConsoleExporterWhen(this MeterProviderBuilder metrics, bool console) =>
        console ? metrics.AddConsoleExporter() : metrics;

    /// <summary>
    /// Requests that are not the product's: health probes, and the embedded Durable sidecar's gRPC
    /// calls (every turn of every instance crosses it; Durable's own spans describe that work).
    /// </summary>
    private static bool IsProbeOrSidecar(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/healthz", StringComparison.Ordinal)
        || context.Request.Path.StartsWithSegments("/readyz", StringComparison.Ordinal)
        || IsGrpc(context.Request.ContentType);

    private static bool IsGrpc(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);
}
