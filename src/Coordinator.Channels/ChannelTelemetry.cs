using System.Diagnostics.Metrics;

namespace Coordinator.Channels;

/// <summary>
/// The chat channels' measurements, on a meter named <c>Coordinator</c> like the rest of the product's (the hosts'
/// OpenTelemetry set-up listens to that name). Taken by the dispatcher, once per provider call, never in replayed
/// code. Tags are channel names and outcomes, never people or their handles.
/// </summary>
public static class ChannelTelemetry
{
    private static readonly Meter Meter = new("Coordinator");

    /// <summary>From when a message was due (enqueued, or the end of the recipient's quiet hours) to the provider accepting it (tag: channel).</summary>
    public static readonly Histogram<double> DeliveryDuration = Meter.CreateHistogram<double>(
        "coordinator.channels.delivery.duration", "s", "Time from a chat message being due to its provider accepting it (rate-limit waits and outages included).");

    /// <summary>Provider calls by outcome (tags: channel, outcome: sent, rate_limited, refused, failed).</summary>
    public static readonly Counter<long> Messages = Meter.CreateCounter<long>(
        "coordinator.channels.messages", "{message}", "Chat messages handed to their providers, by outcome.");

    internal static void Count(string channel, string outcome) =>
        Messages.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("outcome", outcome));
}
