using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Coordinator.Channels.Webhooks;

/// <summary>What every channel's webhook route is: a POST its provider signs, which answers the refusal and a 404 problem when the channel is off.</summary>
public static class WebhookEndpoints
{
    /// <summary>
    /// Maps <paramref name="handler"/> (the one both hosts call) at <paramref name="route"/>, named and summarised for the
    /// OpenAPI document, answering <paramref name="refusal"/> to an unauthenticated request and 404 when not configured;
    /// the channel adds what it accepts and answers.
    /// </summary>
    public static RouteHandlerBuilder MapWebhook(this IEndpointRouteBuilder endpoints, string route, string name, string summary,
        Func<HttpRequest, CancellationToken, Task<IResult>> handler, int refusal = StatusCodes.Status401Unauthorized)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(handler);
        return endpoints.MapPost(route, (HttpRequest request, CancellationToken cancellationToken) => handler(request, cancellationToken))
            .WithName(name)
            .WithSummary(summary)
            .Produces(refusal)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .DisableAntiforgery();
    }
}
