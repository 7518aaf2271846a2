using Coordinator.Functions;
using Coordinator.ServiceDefaults;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddCoordinatorFunctions(builder.Configuration);
// Traces, metrics and logs (Azure Monitor with APPLICATIONINSIGHTS_CONNECTION_STRING, OTLP with OTEL_EXPORTER_OTLP_ENDPOINT),
// with the worker's function invocations as the parents of Durable's and the product's spans.
builder.AddCoordinatorTelemetry("coordinator-functions");
builder.Services.AddOpenTelemetry().UseFunctionsWorkerDefaults();
builder.Build().Run();
