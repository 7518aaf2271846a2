using System.Net.Sockets;
using Grpc.Core;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Coordinator.Hosting.Api;

/// <summary>
/// Answers a request that failed because a dependency could not be reached with <c>503</c> problem
/// details and <c>Retry-After</c>, instead of a <c>500</c>: an outage is not a fault of the request,
/// and the client can retry. The dependencies: the Durable backend (the task hub in Azure Storage,
/// through the embedded sidecar: a gRPC failure) and PostgreSQL (a connection that fails or breaks, a
/// server shutting down or out of connections). One warning line is logged, not a stack trace.
/// Refusals the handlers map themselves (<c>AlreadyExists</c>, <c>NotFound</c>) never reach it.
/// </summary>
internal sealed partial class DependencyUnavailable(ILogger<DependencyUnavailable> logger) : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait before retrying.</summary>
    internal const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(exception);
        string title, detail;
        switch (exception.GetBaseException())
        {
            case RpcException rpc when rpc.StatusCode is not (StatusCode.AlreadyExists or StatusCode.NotFound or StatusCode.InvalidArgument):
                Log.Unavailable(logger, httpContext.Request.Method, httpContext.Request.Path, "the Durable backend", $"{rpc.StatusCode}: {rpc.Status.Detail}");
                title = "Durable backend unreachable";
                detail = $"The workflow store (the Durable task hub) did not answer ({rpc.StatusCode}). Nothing was changed by this request; retry in a few seconds. If it lasts, check that Azure Storage (Azurite locally) is running and reachable.";
                break;
            case not null when DatabaseOutage(exception) is { } database:
                Log.Unavailable(logger, httpContext.Request.Method, httpContext.Request.Path, "PostgreSQL", database);
                title = "Database unreachable";
                detail = "The coordinator's database (PostgreSQL) did not answer. Nothing was changed by this request; retry in a few seconds. If it lasts, check that PostgreSQL is running and reachable (GET /readyz says which dependency is missing).";
                break;
            default:
                return false;
        }
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: title, detail: detail)
            .ExecuteAsync(httpContext).ConfigureAwait(false);
        return true;
    }

    /// <summary>What kept PostgreSQL from answering, or null when the exception is not an outage (a query's own error is a bug: a 500).</summary>
    private static string? DatabaseOutage(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // Connection failures (class 08), shutdowns (57P01-57P03), too many connections (53300).
                case PostgresException p when p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState is "57P01" or "57P02" or "57P03" or "53300":
                    return $"{p.SqlState}: {p.MessageText}";
                case PostgresException:
                    return null;
                case NpgsqlException n when n.IsTransient || n.InnerException is SocketException or IOException or TimeoutException:
                    return n.GetBaseException().Message;
            }
        }
        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: {Dependency} did not answer ({Reason})")]
        public static partial void Unavailable(ILogger logger, string method, string path, string dependency, string reason);
    }
}
