using Coordinator.Hosting.Durable;

namespace Coordinator.Hosting.Tests.Durability;

/// <summary>The worker id each host gives the Azure Storage provider (the owner of its partitions).</summary>
public sealed class DurableBackendOptionsTests
{
    [Fact]
    public void EffectiveWorkerId_NotConfigured_IsTheMachineAndProcessWithASuffixUniqueToEachBackend()
    {
        var options = new DurableBackendOptions();

        var (first, second) = (options.EffectiveWorkerId(), options.EffectiveWorkerId());

        // Two hosts on one machine must not share the provider's default (the machine name alone).
        Assert.NotEqual(Environment.MachineName, first);
        Assert.StartsWith($"{Environment.MachineName}-{Environment.ProcessId}-", first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void WorkerIdFor_ADataFolder_IsTheSameAcrossRestartsAndDiffersBetweenTheHostsOfAMachine()
    {
        var first = DurableBackendOptions.WorkerIdFor("/srv/coordinator/host-0");

        Assert.Equal(first, DurableBackendOptions.WorkerIdFor("/srv/coordinator/host-0"));
        Assert.NotEqual(first, DurableBackendOptions.WorkerIdFor("/srv/coordinator/host-1"));
        Assert.StartsWith(Environment.MachineName + "-", first, StringComparison.Ordinal);
    }

    [Fact]
    public void EffectiveWorkerId_Configured_IsUsedAsGiven()
    {
        var options = new DurableBackendOptions { WorkerId = "  host-a  " };

        Assert.Equal("host-a", options.EffectiveWorkerId());
    }
}
