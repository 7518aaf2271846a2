namespace Coordinator.Core.Engine;

/// <summary>Whether a human event would be accepted in the current state, and why not.</summary>
public sealed record EventValidation(bool Accepted, string? Reason)
{
    public static readonly EventValidation Ok = new(true, null);

    public static EventValidation Reject(string reason) => new(false, reason);
}
