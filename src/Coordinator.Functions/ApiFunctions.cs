using Coordinator.Core.Ports;
using Coordinator.Hosting;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Health;
using Coordinator.Persistence.Audit;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Functions;

/// <summary>
/// The coordinator's HTTP API on Azure Functions: each trigger is one call into the shared
/// <see cref="CoordinatorApi"/> handlers, so both hosts answer identically. Routes sit under the
/// <c>api</c> prefix of host.json; function keys (<c>?code=</c> or <c>x-functions-key</c>) take the
/// place of the standalone host's <c>x-coordinator-key</c>.
/// </summary>
public sealed class ApiFunctions(WorkflowRegistry registry, HostClock clock, IWorkQueries work, IStartClaims starts, IServiceProvider services)
{
    [Function("ListWorkflows")]
    public IResult ListWorkflows(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "workflows")] HttpRequest request) =>
        Results.Ok(CoordinatorApi.ListWorkflows(registry));

    [Function("StartInstance")]
    public async Task<IResult> StartInstance(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "workflows/{workflowId}/instances")] HttpRequest request,
        string workflowId, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        (await CoordinatorApi.StartInstanceAsync(workflowId, request, Core(client), cancellationToken).ConfigureAwait(false)).Result;

    [Function("ListInstances")]
    public Task<IResult> ListInstances(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "instances")] HttpRequest request,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        CoordinatorApi.ListInstancesAsync(request.Query["workflow"], request.Query["status"], request, client, cancellationToken);

    [Function("GetInstance")]
    public Task<IResult> GetInstance(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "instances/{instanceId}")] HttpRequest request,
        string instanceId, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        CoordinatorApi.GetInstanceAsync(instanceId, Core(client), cancellationToken);

    [Function("PostStepEvent")]
    public async Task<IResult> PostStepEvent(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "instances/{instanceId}/steps/{stepId}/events")] HttpRequest request,
        string instanceId, string stepId, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        (await CoordinatorApi.PostEventAsync(instanceId, stepId, request.Query["wait"].FirstOrDefault(), request, Core(client), cancellationToken).ConfigureAwait(false)).Result;

    [Function("GetPersonWork")]
    public async Task<IResult> GetPersonWork(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "people/{personId}/work")] HttpRequest request,
        string personId, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        (await CoordinatorApi.GetPersonWorkAsync(personId, request, Core(client), clock, cancellationToken).ConfigureAwait(false)).Result;

    /// <summary>The application core over the client this trigger is bound to (the Functions host hands each trigger its own).</summary>
    private CoordinatorService Core(DurableTaskClient client) => new(registry, client, clock, work, starts);

    /// <summary>Liveness: the worker answers (no key, no secrets).</summary>
    [Function("Healthz")]
    public IResult Healthz(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "healthz")] HttpRequest request) =>
        HealthEndpoints.Live(request.HttpContext.Response);

    /// <summary>Readiness: definitions loaded, PostgreSQL answering and migrated, the Durable backend answering; 503 naming what is missing (no key, no secrets).</summary>
    [Function("Readyz")]
    public Task<IResult> Readyz(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "readyz")] HttpRequest request,
        [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        HealthEndpoints.ReadyAsync(services.GetRequiredService<ReadinessProbe>(), client, request.HttpContext.Response, cancellationToken);

    /// <summary>The OpenAPI document of this API (the one <c>coordinator serve</c> publishes, with function keys); no key needed.</summary>
    [Function("OpenApiDocument")]
    public IResult OpenApiDocument(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        Results.Text(ApiDocument.ForFunctions(), "application/json");

    /// <summary>The audit rows of an instance or business key; the exporter is registered only with a PostgreSQL registry (else 503).</summary>
    [Function("ExportAudit")]
    public Task<IResult> ExportAudit(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "audit")] HttpRequest request, CancellationToken cancellationToken) =>
        AuditEndpoints.ExportAsync(
            request.Query["instanceId"], request.Query["businessKey"], request.Query["format"], services.GetService<AuditExporter>(), request.HttpContext.Response, cancellationToken);
}
