using Coordinator.Core.Engine;
using Coordinator.Core.Ports;

namespace Coordinator.Application;

/// <summary>
/// The integrations' way into the application core (HubSpot starts, CloudEvents): the same use cases as the HTTP API,
/// with their checks and outcomes. Cheap to create, like the service (the Functions app makes one per trigger).
/// </summary>
public sealed class CoordinatorWorkGateway(CoordinatorService core) : IWorkGateway
{
    /// <summary>How long a submitted event waits for the instance's verdict before the answer is "accepted".</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    public async Task<GatewayStart> StartAsync(string workflowId, string? businessKey, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken = default)
    {
        var outcome = await core.StartAsync(workflowId, businessKey, context, cancellationToken).ConfigureAwait(false);
        return outcome.Accepted
            ? new GatewayStart(outcome.InstanceId, outcome.AlreadyExisted, null)
            : new GatewayStart(null, false, outcome.Problem.Message, outcome.Problem.Field);
    }

    public async Task<GatewayEvent> SubmitAsync(string? instanceId, string? workflowId, string? businessKey, HumanEvent humanEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(humanEvent);
        if (instanceId is null)
        {
            if (string.IsNullOrEmpty(workflowId) || string.IsNullOrEmpty(businessKey))
                return new GatewayEvent(GatewayEventKind.UnknownInstance, null, "Name the instance: its instanceId, or its workflow and businessKey.");
            if (core.Registry.Latest(workflowId) is null)
                return new GatewayEvent(GatewayEventKind.UnknownInstance, null, $"There is no workflow '{workflowId}'. GET /api/workflows lists the ones this coordinator serves.");
            instanceId = InstanceIds.For(workflowId, businessKey);
        }
        var result = await core.SubmitEventAsync(instanceId, humanEvent, Wait, cancellationToken).ConfigureAwait(false);
        return result.Kind switch
        {
            EventResultKind.Applied => new GatewayEvent(GatewayEventKind.Applied, instanceId),
            EventResultKind.Accepted => new GatewayEvent(GatewayEventKind.Accepted, instanceId),
            EventResultKind.UnknownInstance => new GatewayEvent(GatewayEventKind.UnknownInstance, null, result.Reason),
            EventResultKind.UnknownStep => new GatewayEvent(GatewayEventKind.UnknownStep, instanceId, result.Reason),
            EventResultKind.Starting => throw new InvalidOperationException(result.Reason ?? $"Instance '{instanceId}' is starting; try again in a moment."),
            _ => new GatewayEvent(GatewayEventKind.Rejected, instanceId, result.Reason),
        };
    }
}
