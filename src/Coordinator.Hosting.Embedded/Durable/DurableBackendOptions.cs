using System.ComponentModel.DataAnnotations;

namespace Coordinator.Hosting.Durable;

/// <summary>Which Durable Task backend the standalone host runs on.</summary>
public enum DurableBackendKind
{
    /// <summary>The Durable Azure Storage provider (the one Durable Functions uses by default): durable across restarts. Azurite locally.</summary>
    AzureStorage,

    /// <summary>In memory: quick tries only. Everything is lost when the host stops.</summary>
    Memory,
}

/// <summary>Options of the embedded Durable Task backend, section <c>Coordinator:Durable</c>.</summary>
public sealed class DurableBackendOptions
{
    public const string Section = "Coordinator:Durable";

    public DurableBackendKind Backend { get; set; } = DurableBackendKind.AzureStorage;

    /// <summary>Azure Storage connection string; <c>UseDevelopmentStorage=true</c> is Azurite on its default ports.</summary>
    [Required(ErrorMessage = "Set Coordinator:Durable:StorageConnectionString (environment Coordinator__Durable__StorageConnectionString) to an Azure Storage connection string, or UseDevelopmentStorage=true for Azurite.")]
    public string StorageConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>The task hub: the name prefix of the queues, tables and containers the backend uses.</summary>
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,44}$", ErrorMessage = "Coordinator:Durable:TaskHub must be 3 to 45 letters and digits, starting with a letter.")]
    public string TaskHub { get; set; } = "coordinator";

    /// <summary>Control-queue partitions (Azure Storage). One process owns them all locally.</summary>
    [Range(1, 16, ErrorMessage = "Coordinator:Durable:PartitionCount must be between 1 and 16.")]
    public int PartitionCount { get; set; } = 4;

    /// <summary>Longest back-off between queue polls when idle (Azure Storage); lower means faster reaction, more polling.</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a dequeued control-queue message (orchestration work) stays invisible to other
    /// workers (Azure Storage). After a crash, the instance resumes when this expires.
    /// </summary>
    public TimeSpan ControlQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Partition ownership kept in a table (the Azure Storage provider's table partition manager, which
    /// it recommends for reliability) instead of blob leases. Every host of a task hub must use the same.
    /// </summary>
    public bool UseTablePartitionManagement { get; set; }

    /// <summary>The same for work-item (activity) messages.</summary>
    public TimeSpan WorkItemQueueVisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// This host's name among the hosts of the task hub, which owns its control-queue partitions. Empty
    /// (the default): <c>serve</c> uses the machine name and a hash of its data folder, the same across
    /// the restarts of a host and different for every host of the machine (each has its own data folder).
    /// The provider's own default is the machine name alone, under which several hosts on one machine all
    /// believe they own every partition and run the same instances at once.
    /// </summary>
    [MaxLength(100, ErrorMessage = "Coordinator:Durable:WorkerId must be at most 100 characters.")]
    public string? WorkerId { get; set; }

    /// <summary>The worker id of a host whose data folder is <paramref name="dataPath"/>: the machine name and a hash of the folder's full path.</summary>
    public static string WorkerIdFor(string dataPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataPath);
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(dataPath)));
        return $"{Environment.MachineName}-{Convert.ToHexStringLower(hash)[..12]}";
    }

    /// <summary>The worker id to use: <see cref="WorkerId"/>, or (not configured, outside <c>serve</c>) one unique to this call.</summary>
    public string EffectiveWorkerId() =>
        string.IsNullOrWhiteSpace(WorkerId) ? $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}" : WorkerId.Trim();
}
