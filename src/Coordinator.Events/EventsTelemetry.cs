using System.Diagnostics.Metrics;

namespace Coordinator.Events;

/// <summary>
/// The CloudEvents relay's measurements, on the meter named <c>Coordinator</c> like the rest of the product's. Taken
/// once per delivery attempt. Tags are target names and outcomes, never instance ids or people.
/// </summary>
public static class EventsTelemetry
{
    private static readonly Meter Meter = new("Coordinator");

    /// <summary>From the action's audit time to the receiver's 2xx (tag: target): the lag an adapter sees, outages included.</summary>
    public static readonly Histogram<double> DeliveryDuration = Meter.CreateHistogram<double>(
        "coordinator.events.delivery.duration", "s", "Time from an action being recorded to its CloudEvent being accepted by the receiver.");

    /// <summary>Delivery attempts by outcome (tags: target, outcome: delivered, failed, refused).</summary>
    public static readonly Counter<long> Deliveries = Meter.CreateCounter<long>(
        "coordinator.events.deliveries", "{event}", "CloudEvents POSTed to their receivers, by outcome.");

    /// <summary>Inbound CloudEvents by outcome (tags: type, outcome: the HTTP status).</summary>
    public static readonly Counter<long> Received = Meter.CreateCounter<long>(
        "coordinator.events.received", "{event}", "CloudEvents received on POST /api/webhooks/events, by type and answer.");

    internal static void Count(string target, string outcome) =>
        Deliveries.Add(1, new KeyValuePair<string, object?>("target", target), new KeyValuePair<string, object?>("outcome", outcome));
}
