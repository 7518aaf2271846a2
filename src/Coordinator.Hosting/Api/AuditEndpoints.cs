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
        app.MapGet("/api/audit", ExportAsync)
            .AddEndpointFilter<ApiKeyFilter>()
            .WithName("ExportAudit")
            .WithSummary("The audit rows of one instance (instanceId) or business key (businessKey), as JSON (default) or CSV.");

    public static async Task<IResult> ExportAsync(string? instanceId, string? businessKey, string? format, HttpContext http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var exporter = http.RequestServices.GetService<AuditExporter>();
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
        http.Response.ContentType = exportFormat == AuditExportFormat.Csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
        await exporter.ExportAsync(query, exportFormat.Value, http.Response.Body, cancellationToken).ConfigureAwait(false);
        return Results.Empty;
    }
}
