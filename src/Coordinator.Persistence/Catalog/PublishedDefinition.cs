namespace Coordinator.Persistence.Catalog;

/// <summary>A workflow definition version as stored in the catalog.</summary>
/// <param name="ContentHash">Lowercase hex SHA-256 of the UTF-8 bytes of <paramref name="Definition"/>.</param>
/// <param name="Definition">The canonical JSON of the definition.</param>
public sealed record PublishedDefinition(string WorkflowId, int Version, string ContentHash, string Definition, DateTimeOffset PublishedAt);

/// <summary>What publishing did.</summary>
public enum PublishOutcome
{
    /// <summary>The (id, version) was new and is now published.</summary>
    Published,

    /// <summary>The same content was already published under this (id, version); nothing changed.</summary>
    AlreadyPublished,
}
