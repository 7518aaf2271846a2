using Coordinator.Channels;
using Coordinator.Core.Definitions;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordinator.Crm.HubSpot;

/// <summary>Wakes the <see cref="HubSpotStartWorker"/>: the webhook kept a start request.</summary>
public sealed class HubSpotStartSignal : WakeSignal;

/// <summary>
/// Performs the start requests the webhook kept: reads the object (<c>GET /crm/v3/objects/{type}/{id}</c> with the
/// properties <c>start.hubspot</c> reads), checks that it still has the value (and the pipeline), maps its properties to the
/// start context (a HubSpot owner id to the directory person with that <c>hubspot_owner</c>) and starts the instance
/// through the application core with the object id as its business key: one (workflow, object) starts one instance
/// however often HubSpot delivers the event or the object reaches the value again. A start that cannot be made (the owner
/// is nobody in the directory, the core refuses the context) is closed with a <c>crm.start_refused</c> WARN row;
/// HubSpot or the core being away retries it with a growing wait.
/// </summary>
public sealed partial class HubSpotStarts(
    ICrmStarts starts,
    HubSpotClient client,
    HubSpotRateLimit limit,
    HubSpotAudit audit,
    IServedWorkflows workflows,
    IPersonDirectory directory,
    IOptions<HubSpotOptions> options,
    ILogger<HubSpotStarts> logger)
{
    /// <summary>Claims and performs up to <paramref name="max"/> start requests; answers how many it took.</summary>
    public async Task<int> RunOnceAsync(IWorkGateway gateway, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        var claimed = await starts.ClaimAsync(max, options.Value.Lease, cancellationToken).ConfigureAwait(false);
        foreach (var start in claimed)
            await StartOneAsync(gateway, start, cancellationToken).ConfigureAwait(false);
        return claimed.Count;
    }

    private async Task StartOneAsync(IWorkGateway gateway, ClaimedCrmStart claimed, CancellationToken cancellationToken)
    {
        var request = claimed.Request;
        try
        {
            var definition = workflows.Latest.FirstOrDefault(d => d.Id == request.WorkflowId);
            if (definition?.Start?.HubSpot is not { } rule || rule.Object != request.Object)
            {
                await starts.CompleteAsync(claimed.Id, null, "the workflow no longer starts from this HubSpot object", cancellationToken).ConfigureAwait(false);
                return;
            }
            var wait = await limit.TakeAsync(cancellationToken).ConfigureAwait(false);
            if (wait > TimeSpan.Zero)
            {
                await starts.RetryLaterAsync(claimed.Id, wait, "HubSpot's request budget is spent", cancellationToken).ConfigureAwait(false);
                return;
            }
            var properties = await client.GetObjectAsync(request.Object, request.ObjectId, rule.PropertiesRead(), cancellationToken).ConfigureAwait(false);
            if (properties is null)
            {
                await RefuseAsync(claimed, $"HubSpot has no {request.Object.WireName()} {request.ObjectId} (deleted?)", cancellationToken).ConfigureAwait(false);
                return;
            }
            // A creation event, or a change since undone: the object must have the value now.
            if (properties.GetValueOrDefault(rule.Property) != rule.Becomes)
            {
                await starts.CompleteAsync(claimed.Id, null, $"{rule.Property} is '{properties.GetValueOrDefault(rule.Property)}', not '{rule.Becomes}'", cancellationToken).ConfigureAwait(false);
                return;
            }
            if (rule.Pipeline is { } pipeline && properties.GetValueOrDefault("pipeline") != pipeline)
            {
                await starts.CompleteAsync(claimed.Id, null, $"the {request.Object.WireName()} is in pipeline '{properties.GetValueOrDefault("pipeline")}', not '{pipeline}'", cancellationToken).ConfigureAwait(false);
                return;
            }
            var context = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var field in rule.Context)
            {
                var value = field.Property == "hs_object_id" ? properties.GetValueOrDefault("hs_object_id") ?? request.ObjectId : properties.GetValueOrDefault(field.Property);
                if (string.IsNullOrWhiteSpace(value))
                    continue; // the core says which field it needs, if it needs it
                if (field.Person)
                {
                    if (directory.People.FirstOrDefault(p => p.HubSpotOwner == value) is not { } person)
                    {
                        await RefuseAsync(claimed,
                            $"the HubSpot owner {value} ({field.Property}, for start-context field '{field.Field}') is nobody in the people directory; give that person 'hubspot_owner: \"{value}\"'",
                            cancellationToken).ConfigureAwait(false);
                        return;
                    }
                    value = person.Id;
                }
                context[field.Field] = value;
            }
            var outcome = await gateway.StartAsync(request.WorkflowId, request.ObjectId, context, cancellationToken).ConfigureAwait(false);
            if (!outcome.Accepted)
            {
                await RefuseAsync(claimed, outcome.Problem!, cancellationToken).ConfigureAwait(false);
                return;
            }
            await starts.CompleteAsync(claimed.Id, outcome.InstanceId, outcome.AlreadyExisted ? "existed" : "started", cancellationToken).ConfigureAwait(false);
            Started(logger, request.WorkflowId, request.Object.WireName(), request.ObjectId, outcome.InstanceId!, outcome.AlreadyExisted);
        }
        catch (HubSpotException e) when (e.Failure == HubSpotFailure.RateLimited)
        {
            await limit.RateLimitedAsync(e.RetryAfter, cancellationToken).ConfigureAwait(false);
            await starts.RetryLaterAsync(claimed.Id, e.RetryAfter, e.Message, cancellationToken).ConfigureAwait(false);
        }
        catch (HubSpotException e) when (e.Failure == HubSpotFailure.Refused)
        {
            await RefuseAsync(claimed, e.Message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var retry = HubSpotDispatcher.Backoff(claimed.Attempts, options.Value.FirstRetryInterval);
            StartFailed(logger, request.WorkflowId, request.Object.WireName(), request.ObjectId, claimed.Attempts, retry.TotalSeconds, e.Message);
            await starts.RetryLaterAsync(claimed.Id, retry, e.Message, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RefuseAsync(ClaimedCrmStart claimed, string reason, CancellationToken cancellationToken)
    {
        await audit.StartRefusedAsync(claimed.Request, reason, cancellationToken).ConfigureAwait(false);
        await starts.CompleteAsync(claimed.Id, null, "refused: " + reason, cancellationToken).ConfigureAwait(false);
        StartRefused(logger, claimed.Request.WorkflowId, claimed.Request.Object.WireName(), claimed.Request.ObjectId, reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HubSpot {Object} {ObjectId} starts {Workflow}: instance {InstanceId} (existed already: {Existed})")]
    private static partial void Started(ILogger logger, string workflow, string @object, string objectId, string instanceId, bool existed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HubSpot {Object} {ObjectId} could not start {Workflow}: {Reason}")]
    private static partial void StartRefused(ILogger logger, string workflow, string @object, string objectId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting {Workflow} for HubSpot {Object} {ObjectId} failed (attempt {Attempt}), next try in {Seconds} s: {Error}")]
    private static partial void StartFailed(ILogger logger, string workflow, string @object, string objectId, int attempt, double seconds, string error);
}

/// <summary>Serve's worker for <see cref="HubSpotStarts"/>: woken by the webhook, polling meanwhile, with the host's application core.</summary>
public sealed partial class HubSpotStartWorker(IServiceProvider services, HubSpotStartSignal signal, IOptions<HubSpotOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var starts = services.GetRequiredService<HubSpotStarts>();
        var gateway = services.GetRequiredService<IWorkGateway>();
        var logger = services.GetRequiredService<ILogger<HubSpotStartWorker>>();
        while (!stoppingToken.IsCancellationRequested)
        {
            var took = 0;
            try
            {
                took = await starts.RunOnceAsync(gateway, 16, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Unreachable(logger, e.Message);
            }
            if (took == 0)
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The HubSpot start requests are unreachable ({Error}); retrying")]
    private static partial void Unreachable(ILogger logger, string error);
}
