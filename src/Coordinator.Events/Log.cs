using Microsoft.Extensions.Logging;

namespace Coordinator.Events;

/// <summary>The CloudEvents integration's log messages (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "CloudEvents go to {Count} target(s): {Targets}")]
    public static partial void Targets(ILogger logger, int count, string targets);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Delivered {EventId} to {Target} ({Status})")]
    public static partial void Delivered(ILogger logger, string eventId, string target, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivering {EventId} to {Target} failed ({Failures} in a row): {Error}; next try in {Seconds} s")]
    public static partial void DeliveryFailed(ILogger logger, string eventId, string target, int failures, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Target} refused {EventId} for good ({Status}); it is skipped (an events.delivery_refused audit row) so the stream goes on. Fix the receiver if it should have taken it")]
    public static partial void DeliveryRefused(ILogger logger, string eventId, string target, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Another host took over the CloudEvents of {Target}; this one stops sending them until the lease is free again")]
    public static partial void LeaseLost(ILogger logger, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The CloudEvents relay cannot read or write its cursors or the audit registry ({Reason}); events wait in the registry and go out when the database answers")]
    public static partial void StoreUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An inbound CloudEvent was refused: {Reason}")]
    public static partial void Denied(ILogger logger, string reason);
}
