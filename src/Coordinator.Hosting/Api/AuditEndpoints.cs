using Coordinator.Core.Input;
using Coordinator.Persistence.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Coordinator.Hosting.Api;

/// <summary><c>GET /api/audit?instanceId=...|businessKey=...[&amp;format=json|csv]</c>: the audit rows of an instance, streamed.</summary>
public static partial class AuditEndpoints
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
    /// query is bad (400), when <paramref name="exporter"/> is null because no PostgreSQL registry is
    /// configured (503), or when the registry cannot be reached (503, decided before the first byte). A
    /// failure once rows are streaming aborts the connection.
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
            return JsonBody.Invalid("instanceId", "Give exactly one of instanceId and businessKey.");
        // Ids no instance can have (PostgreSQL itself refuses a NUL in text: that would be a 500).
        if (TextRules.Validate("instanceId", instanceId, TextKind.Id) is { } badInstance)
            return JsonBody.Invalid("instanceId", badInstance);
        if (TextRules.Validate("businessKey", businessKey, TextKind.Id) is { } badKey)
            return JsonBody.Invalid("businessKey", badKey);
        var exportFormat = (format ?? "json").ToLowerInvariant() switch
        {
            "json" => AuditExportFormat.Json,
            "csv" => AuditExportFormat.Csv,
            _ => (AuditExportFormat?)null,
        };
        if (exportFormat is null)
            return JsonBody.Invalid("format", $"Unknown format '{format}'; use json or csv.");
        var query = string.IsNullOrWhiteSpace(instanceId) ? AuditQuery.ForBusinessKey(businessKey!) : AuditQuery.ForInstance(instanceId);

        // The query runs and its first row is read before the first byte is written: an unreachable
        // registry is a 503, never a 200 with a body cut short.
        AuditExport export;
        try
        {
            export = await exporter.OpenAsync(query, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            Log.Unreachable(LoggerOf(response), e);
            return Unreachable(e);
        }
        await using (export.ConfigureAwait(false))
        {
            response.ContentType = exportFormat == AuditExportFormat.Csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";
            try
            {
                await export.WriteAsync(exportFormat.Value, response.Body, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (!response.HasStarted && IsUnreachable(e))
                {
                    response.Clear();
                    return Unreachable(e);
                }
                // Part of the export is out: abort the connection so the client sees an error (no final
                // chunk, a reset), not a shorter body that looks complete.
                Log.ExportAborted(LoggerOf(response), e);
                response.HttpContext.Abort();
            }
        }
        return Results.Empty;
    }

    /// <summary>
    /// Whether a failure means the registry cannot be reached (connection refused or lost, server
    /// shutting down, timeouts) rather than a fault of the query: a 503 the client can retry.
    /// </summary>
    private static bool IsUnreachable(Exception e) =>
        e is TimeoutException || (e is NpgsqlException npgsql && (npgsql.IsTransient || npgsql is not PostgresException));

    private static IResult Unreachable(Exception e) => Results.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Audit registry unreachable",
        detail: $"The audit registry is unreachable: {Reason(e)}; retry when PostgreSQL is back.");

    /// <summary>
    /// The reason with its causes (Npgsql's "Failed to connect to ..." and the socket's "No such file or
    /// directory"), each said once: an inner message already part of an outer one is left out.
    /// </summary>
    private static string Reason(Exception e)
    {
        var reason = e.Message.TrimEnd('.');
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            var message = inner.Message.TrimEnd('.');
            if (!reason.Contains(message, StringComparison.Ordinal))
                reason += ": " + message;
        }
        return reason;
    }

    private static ILogger LoggerOf(HttpResponse response) =>
        response.HttpContext.RequestServices.GetService<ILoggerFactory>()?.CreateLogger(typeof(AuditEndpoints)) ?? NullLogger.Instance;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Audit export refused with 503: the audit registry is unreachable")]
        public static partial void Unreachable(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Error, Message = "Audit export failed after streaming began; the connection was aborted so the client sees an error")]
        public static partial void ExportAborted(ILogger logger, Exception exception);
    }
}
