namespace Coordinator.Application;

/// <summary>The host-wide time scale new instances start with (<c>--time-scale</c>).</summary>
public sealed record HostClock(double TimeScale);
