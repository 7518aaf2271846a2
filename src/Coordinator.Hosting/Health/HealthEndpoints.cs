using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.DurableTask.Client;

namespace Coordinator.Hosting.Health;

/// <summary>
/// Liveness and readiness, without the API key and without secrets: <c>/healthz</c> answers while the
/// process serves requests; <c>/readyz</c> answers <c>200</c> when every dependency is there and
/// <c>503</c> naming the one that is not (<see cref="ReadinessProbe"/>). For load balancers, App
/// Service health checks and orchestrators' probes.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Maps <c>/healthz</c> and <c>/readyz</c>.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Live).ExcludeFromDescription();
        app.MapGet("/readyz", ReadyAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>The process answers.</summary>
    public static IResult Live(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.CacheControl = "no-store";
        return Results.Ok(new { status = "ok" });
    }

    /// <summary>Every dependency's state: 200 when all are ready, 503 otherwise.</summary>
    public static async Task<IResult> ReadyAsync(ReadinessProbe probe, DurableTaskClient client, HttpResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(response);
        var readiness = await probe.CheckAsync(client, cancellationToken).ConfigureAwait(false);
        response.Headers.CacheControl = "no-store";
        return Results.Json(readiness, statusCode: readiness.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
