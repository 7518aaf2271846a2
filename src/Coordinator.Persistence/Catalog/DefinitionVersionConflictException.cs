namespace Coordinator.Persistence.Catalog;

/// <summary>Publishing different content under an already published (workflow id, version).</summary>
public sealed class DefinitionVersionConflictException : Exception
{
    public DefinitionVersionConflictException(PublishedDefinition existing, string attemptedContentHash)
        : base($"Workflow '{existing.WorkflowId}' version {existing.Version} is already published (at {existing.PublishedAt:O}, content hash {existing.ContentHash}) "
            + $"and the definition now has different content (hash {attemptedContentHash}). Published versions are immutable because running instances are pinned to them: "
            + $"increase `version` in the definition file to publish the change.")
    {
        Existing = existing;
        AttemptedContentHash = attemptedContentHash;
    }

    public PublishedDefinition Existing { get; }

    public string AttemptedContentHash { get; }
}
