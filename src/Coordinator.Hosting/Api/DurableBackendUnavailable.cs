using Grpc.Core;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coordinator.Hosting.Api;

/// <summary>
/// Answers a request that failed because the Durable backend (the task hub in Azure Storage, through
/// the embedded sidecar) could not be reached with <c>503</c> problem details and <c>Retry-After</c>,
/// instead of a <c>500</c>: a storage outage is not a fault of the request, and the client can retry.
/// One warning line is logged, not a stack trace. Refusals the handlers map themselves
/// (<c>AlreadyExists</c>, <c>NotFound</c>) never reach it.
/// </summary>
internal sealed partial class DurableBackendUnavailable(ILogger<DurableBackendUnavailable> logger) : IExceptionHandler
{
    /// <summary>Seconds a client is asked to wait before retrying.</summary>
    internal const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception.GetBaseException() is not RpcException rpc || rpc.StatusCode is StatusCode.AlreadyExists or StatusCode.NotFound or StatusCode.InvalidArgument)
            return false;
        Log.Unavailable(logger, httpContext.Request.Method, httpContext.Request.Path, rpc.StatusCode, rpc.Status.Detail);
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Results.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Durable backend unreachable",
            detail: $"The workflow store (the Durable task hub) did not answer ({rpc.StatusCode}). Nothing was changed by this request; retry in a few seconds. If it lasts, check that Azure Storage (Azurite locally) is running and reachable.")
            .ExecuteAsync(httpContext).ConfigureAwait(false);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503: the Durable backend did not answer ({StatusCode}: {Detail})")]
        public static partial void Unavailable(ILogger logger, string method, string path, StatusCode statusCode, string detail);
    }
}
