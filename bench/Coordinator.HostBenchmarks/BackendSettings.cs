using System.Net;
using System.Net.Sockets;
using Coordinator.Hosting.Durable;

namespace Coordinator.HostBenchmarks;

/// <summary>The Durable Azure Storage backend settings of one side; both sides differ only in the task hub.</summary>
internal sealed record BackendSettings(string ConnectionString, string TaskHub, int Partitions, TimeSpan MaxQueuePollingInterval)
{
    public DurableBackendOptions ToOptions() => new()
    {
        Backend = DurableBackendKind.AzureStorage,
        StorageConnectionString = ConnectionString,
        TaskHub = TaskHub,
        PartitionCount = Partitions,
        MaxQueuePollingInterval = MaxQueuePollingInterval,
    };
}

internal static class FreePort
{
    public static int Loopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
