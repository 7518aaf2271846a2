using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;

namespace Coordinator.Persistence.Audit;

/// <summary>Configuration section <c>Coordinator:Audit</c>.</summary>
public sealed partial class AuditOptions : IValidatableObject
{
    public const string SectionName = "Coordinator:Audit";

    /// <summary><see cref="AnchorStore"/> value: anchors in a local folder (<see cref="AnchorPath"/>).</summary>
    public const string FileAnchorStore = "file";

    /// <summary><see cref="AnchorStore"/> value: anchors in Azure Blob Storage (<see cref="AnchorBlobConnectionString"/>, <see cref="AnchorContainer"/>).</summary>
    public const string BlobAnchorStore = "blob";

    public const string DefaultAnchorPath = ".coordinator/audit-anchors";

    public const string DefaultAnchorContainer = "audit-anchors";

    /// <summary>Where the chain anchors go: <c>file</c> (default) or <c>blob</c>; case-insensitive.</summary>
    public string AnchorStore { get; set; } = FileAnchorStore;

    /// <summary>Folder of the chain anchors (outside the database) for the file store. Relative paths resolve against the working directory.</summary>
    [Required(ErrorMessage = "Coordinator:Audit:AnchorPath is empty; set it to a folder outside the database (default .coordinator/audit-anchors).")]
    public string AnchorPath { get; set; } = DefaultAnchorPath;

    /// <summary>Connection string of the storage account holding the anchor container (blob store only; a secret).</summary>
    public string? AnchorBlobConnectionString { get; set; }

    /// <summary>Name of the anchor container (blob store only).</summary>
    public string AnchorContainer { get; set; } = DefaultAnchorContainer;

    /// <summary>
    /// Create the anchor container when it is missing (blob store only; for development on Azurite).
    /// In production the infrastructure creates it with its immutability policy.
    /// </summary>
    public bool CreateAnchorContainer { get; set; }

    /// <summary>How often the chain head is anchored.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Coordinator:Audit:AnchorInterval must be between 00:00:01 and 1.00:00:00.")]
    public TimeSpan AnchorInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>True when <see cref="AnchorStore"/> selects the Azure Blob store.</summary>
    public bool UsesBlobAnchorStore => string.Equals(AnchorStore, BlobAnchorStore, StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!UsesBlobAnchorStore && !string.Equals(AnchorStore, FileAnchorStore, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                $"Coordinator:Audit:AnchorStore is '{AnchorStore}'; set it to '{FileAnchorStore}' (a local folder, Coordinator:Audit:AnchorPath) "
                + $"or '{BlobAnchorStore}' (Azure Blob Storage, Coordinator:Audit:AnchorBlobConnectionString).",
                [nameof(AnchorStore)]);
            yield break;
        }

        if (!UsesBlobAnchorStore)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(AnchorBlobConnectionString))
        {
            yield return new ValidationResult(
                "Coordinator:Audit:AnchorStore is 'blob' but Coordinator:Audit:AnchorBlobConnectionString is empty; set it (environment "
                + "Coordinator__Audit__AnchorBlobConnectionString) to the storage account's connection string, or UseDevelopmentStorage=true for Azurite.",
                [nameof(AnchorBlobConnectionString)]);
        }
        else if (ConnectionStringError(AnchorBlobConnectionString) is { } error)
        {
            yield return new ValidationResult(
                $"Coordinator:Audit:AnchorBlobConnectionString is not a valid Azure Storage connection string ({error}); copy it from the storage "
                + "account's Access keys page (DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...), or use UseDevelopmentStorage=true for Azurite.",
                [nameof(AnchorBlobConnectionString)]);
        }

        if (!ContainerName().IsMatch(AnchorContainer ?? ""))
        {
            yield return new ValidationResult(
                $"Coordinator:Audit:AnchorContainer '{AnchorContainer}' is not a valid blob container name; use 3 to 63 lowercase letters, digits "
                + $"and single hyphens, starting and ending with a letter or digit (default {DefaultAnchorContainer}).",
                [nameof(AnchorContainer)]);
        }
    }

    private static string? ConnectionStringError(string connectionString)
    {
        try
        {
            _ = new BlobServiceClient(connectionString);
            return null;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // The parser's message names the problem without echoing the secret.
            return ex.Message;
        }
    }

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerName();
}
