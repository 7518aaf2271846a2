using Coordinator.Channels;
using Coordinator.Channels.Replies;
using Coordinator.Channels.Slack;
using Coordinator.Core.Ports;
using Coordinator.Hosting.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordinator.Functions;

/// <summary>
/// The chat channels (and HubSpot's webhook) on Azure Functions: the webhooks (anonymous: each authenticates as its provider documents, with
/// the same handler as serve) and, on a timer, the handling of the replies they kept (serve does it in a background
/// service; a Functions app has no DurableTaskClient outside a trigger). The dispatcher of outgoing messages runs as a
/// hosted service in the worker, as on serve.
/// </summary>
public sealed class ChannelFunctions(WorkflowRegistry registry, HostClock clock, IWorkQueries work, IStartClaims starts, IServiceProvider services)
{
    /// <summary>How long one timer run handles replies before it lets the next run go on.</summary>
    private static readonly TimeSpan RunBudget = TimeSpan.FromSeconds(50);

    [Function("SlackWebhook")]
    public Task<IResult> SlackWebhook(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/slack")] HttpRequest request, CancellationToken cancellationToken) =>
        Channels.Slack.SlackWebhook.HandleAsync(request, cancellationToken);

    [Function("TeamsWebhook")]
    public Task<IResult> TeamsWebhook(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/teams")] HttpRequest request, CancellationToken cancellationToken) =>
        Channels.Teams.TeamsWebhook.HandleAsync(request, cancellationToken);

    [Function("TwilioWebhook")]
    public Task<IResult> TwilioWebhook(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/twilio")] HttpRequest request, CancellationToken cancellationToken) =>
        Channels.WhatsApp.WhatsAppWebhook.HandleAsync(request, cancellationToken);

    [Function("TelegramWebhook")]
    public Task<IResult> TelegramWebhook(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/telegram")] HttpRequest request, CancellationToken cancellationToken) =>
        Channels.Telegram.TelegramWebhook.HandleAsync(request, cancellationToken);

    [Function("HubSpotWebhook")]
    public Task<IResult> HubSpotWebhook(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/hubspot")] HttpRequest request, CancellationToken cancellationToken) =>
        Crm.HubSpot.HubSpotWebhook.HandleAsync(request, cancellationToken);

    [Function("EventsWebhook")]
    public Task<IResult> EventsWebhook(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/events")] HttpRequest request, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        Events.EventsWebhook.HandleAsync(request, new CoordinatorWorkGateway(new CoordinatorService(registry, client, clock, work, starts)), cancellationToken);

    /// <summary>Every 5 seconds: the start requests HubSpot's webhook kept become instances (nothing to do without HubSpot).</summary>
    [Function("HandleHubSpotStarts")]
    public async Task HandleHubSpotStarts(
        [TimerTrigger("*/5 * * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        if (services.GetService<Crm.HubSpot.HubSpotStarts>() is not { } hubspot)
            return;
        var gateway = new CoordinatorWorkGateway(new CoordinatorService(registry, client, clock, work, starts));
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (started.Elapsed < RunBudget && await hubspot.RunOnceAsync(gateway, 16, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }

    /// <summary>Every 5 seconds: the replies the webhooks kept become events (nothing to do, and nothing done, without a chat channel).</summary>
    [Function("HandleChannelReplies")]
    public async Task HandleChannelReplies(
        [TimerTrigger("*/5 * * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        if (services.GetService<ReplyBatch>() is not { } batch)
            return;
        var gateway = new CoordinatorEventGateway(new CoordinatorService(registry, client, clock, work, starts));
        var handler = ActivatorUtilities.CreateInstance<ReplyHandler>(services, gateway);
        var lease = services.GetRequiredService<IOptions<ChannelDispatchOptions>>().Value.Lease;
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (started.Elapsed < RunBudget && await batch.RunOnceAsync(handler, 32, lease, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }
}
