namespace Coordinator.AI;

/// <summary>
/// The host's model calls of the current minute (tool-rate-limit, <c>Coordinator__Llm__MaxCallsPerMinute</c>): a fixed
/// window on the host's clock, shared by everything on the host that calls the model (drafts, interpretations).
/// </summary>
public sealed class HostCallWindow(int maxCallsPerMinute, TimeProvider time)
{
    private readonly Lock _lock = new();
    private long _minute = long.MinValue;
    private int _calls;

    public int MaxCallsPerMinute { get; } = maxCallsPerMinute;

    /// <summary>Takes one call of the current minute, if any is left.</summary>
    public bool TryTake()
    {
        var minute = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        lock (_lock)
        {
            if (minute != _minute)
                (_minute, _calls) = (minute, 0);
            if (_calls >= MaxCallsPerMinute)
                return false;
            _calls++;
            return true;
        }
    }
}
