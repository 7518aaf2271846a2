using Coordinator.Persistence.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Hosting.Api;

/// <summary><c>GET /api/audit?instanceId=...|businessKey=...[&amp;format=json|csv]</c>: the audit rows of an instance, streamed.</summary>
public static class AuditEndpoints
{
    public static RouteHandlerBuilder MapAuditExport(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/audit", (string? instanceId, string? businessKey, string? format, HttpContext http, CancellationToken cancellationToken) =>
                ExportAsync(instanceId, businessKey, format, http.RequestServices.GetService<AuditExporter>(), http.Response, cancellationToken))
            .AddEndpointFilter<ApiKeyFilter>()
            .WithName("ExportAudit").WithTags("Audit")
            .WithSummary("The audit rows of one instance (instanceId) or business key (businessKey), as JSON (default) or CSV.")
            .Produces(StatusCodes.Status200OK)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status503ServiceUnavailable).DescribedAsApi();

    /// <summary>
    /// The handler both hosts call: streams the rows into <paramref name="response"/>; a problem when the
    /// query is bad (400) or when <paramref name="exporter"/> is null because no PostgreSQL registry is configured (503).
    /// </summary>
    public static async Task<IResult> ExportAsync(
        string? instanceId, string? businessKey, string? format, AuditExporter? exporter, HttpResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (exporter is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Audit registry not configured",
                detail: "This coordinator keeps no PostgreSQL audit registry; set ConnectionStrings__Coordinator and restart.");
        }
        if (string.IsNullOrWhiteSpace(instanceId) == string.IsNullOrWhiteSpace(businessKey))
            return CoordinatorApi.Invalid("instanceId", "Give exactly one of instanceId and businessKey.");
        var exportFormat = (format ?? "json").ToLowerInvariant() switch
        {
            "json" => AuditExportFormat.Json,
            "csv" => AuditExportFormat.Csv,
            _ => (AuditExportFormat?)null,
        };
        if (exportFormat is null)
            return CoordinatorApi.Invalid("format", $"Unknown format '{format}'; use json or csv.");
        var query = string.IsNullOrWhiteSpace(instanceId) ? AuditQuery.ForBusinessKey(businessKey!) : AuditQuery.ForInstance(instanceId);
        response.ContentType = exportFormat == AuditExportFormat.Csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
        await exporter.ExportAsync(query, exportFormat.Value, response.Body, cancellationToken).ConfigureAwait(false);
        return Results.Empty;
    }
}
