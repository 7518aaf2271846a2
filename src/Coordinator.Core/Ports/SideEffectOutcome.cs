namespace Coordinator.Core.Ports;

/// <summary>What an idempotent side effect did with its idempotency key.</summary>
public enum SideEffectOutcome
{
    /// <summary>The side effect was performed now.</summary>
    Performed,

    /// <summary>The key was already recorded: an earlier attempt performed it, nothing was repeated.</summary>
    AlreadyPerformed,
}
