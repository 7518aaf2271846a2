using Coordinator.Channels.Replies;
using Coordinator.Core.Ports;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Functions;

/// <summary>
/// The OpenAI-compatible chat endpoint on Azure Functions, the same handlers as serve's (<see cref="ChatEndpoints"/>):
/// <c>GET /api/v1/models</c>, <c>GET /api/v1/models/{model}</c>, <c>POST /api/v1/chat/completions</c> (whole or
/// streamed), so a client's base URL is <c>https://&lt;app&gt;/api/v1</c>. Anonymous at the Functions level: each
/// person's bearer key is the authentication, checked against the keys in PostgreSQL. The reply handler is made per
/// request, its core on the trigger's Durable client (a Functions app has none outside a trigger).
/// </summary>
public sealed class ChatFunctions(WorkflowRegistry registry, HostClock clock, IWorkQueries work, IStartClaims starts, IServiceProvider services)
{
    [Function("ChatModels")]
    public Task ChatModels([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/models")] HttpRequest request) =>
        ChatEndpoints.ListModelsAsync(request.HttpContext);

    [Function("ChatModel")]
    public Task ChatModel([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/models/{model}")] HttpRequest request, string model) =>
        ChatEndpoints.GetModelAsync(request.HttpContext, model);

    [Function("ChatCompletions")]
    public Task ChatCompletions(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/chat/completions")] HttpRequest request, [DurableClient] DurableTaskClient client)
    {
        // Without the database there are no keys: the endpoint then answers chat_unavailable before any handler is needed.
        var handler = services.GetService<IChannelInbound>() is null
            ? null
            : ActivatorUtilities.CreateInstance<ReplyHandler>(services, new CoordinatorEventGateway(new CoordinatorService(registry, client, clock, work, starts)));
        return ChatEndpoints.CompleteAsync(request.HttpContext, handler);
    }
}
