using Coordinator.Core.Definitions;

namespace Coordinator.Core.Tests.Definitions;

public sealed class WorkflowCatalogLoaderTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("coordinator-catalog-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Copy(string sample, string relativePath, Func<string, string>? edit = null)
    {
        var target = Path.Combine(folder, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var text = File.ReadAllText(RepoPaths.Sample(sample));
        File.WriteAllText(target, edit is null ? text : edit(text));
        return target;
    }

    [Fact]
    public void Load_SameIdAndVersionWithDifferentContent_ReportsConflictAtTheSecondFilesVersion()
    {
        Copy("b2b-onboarding.yaml", "a.yaml");
        var second = Copy("b2b-onboarding.yaml", "b.yaml", t => t.Replace("due: 5d", "due: 6d", StringComparison.Ordinal));

        var result = WorkflowCatalogLoader.Load([folder]);

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticCodes.ConflictingVersion, diagnostic.Code);
        Assert.Equal(new SourceLocation(second, 14, 10), diagnostic.Location);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void Load_SameDefinitionTwice_WarnsOnly()
    {
        Copy("b2b-onboarding.yaml", "a.yaml");
        Copy("b2b-onboarding.yaml", "copy/b.yml", t => t.Replace("# Six-week", "# A copy. Six-week", StringComparison.Ordinal));

        var result = WorkflowCatalogLoader.Load([folder]);

        Assert.Equal(DiagnosticCodes.DuplicateDefinition, Assert.Single(result.Diagnostics).Code);
        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Load_NewVersionOfTheSameWorkflow_IsAccepted()
    {
        Copy("b2b-onboarding.yaml", "v2.yaml");
        Copy("b2b-onboarding.yaml", "v3.yaml", t => t.Replace("version: 2", "version: 3", StringComparison.Ordinal).Replace("due: 5d", "due: 6d", StringComparison.Ordinal));

        var result = WorkflowCatalogLoader.Load([folder]);

        Assert.Empty(result.Diagnostics);
        Assert.Equal([2, 3], result.Definitions.Select(d => d.Version).Order());
    }

    [Fact]
    public void Load_Folder_SkipsSchemaScenariosAndOtherFiles()
    {
        Copy("b2b-onboarding.yaml", "b2b.yaml");
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a definition");
        Directory.CreateDirectory(Path.Combine(folder, "schema"));
        File.WriteAllText(Path.Combine(folder, "schema", "coordinator-v1.schema.json"), "{}");
        Directory.CreateDirectory(Path.Combine(folder, "scenarios"));
        File.WriteAllText(Path.Combine(folder, "scenarios", "happy.yaml"), "scenario: x");

        var result = WorkflowCatalogLoader.Load([folder]);

        Assert.Equal([Path.Combine(folder, "b2b.yaml")], result.Files);
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Load_MissingPath_ReportsUnreadableAndGoesOn()
    {
        var file = Copy("it-change-management.yaml", "change.yaml");
        var missing = Path.Combine(folder, "missing");

        var result = WorkflowCatalogLoader.Load([missing, file]);

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticCodes.FileUnreadable, missing), (diagnostic.Code, diagnostic.Location.File));
        Assert.Single(result.Definitions);
    }

    [Fact]
    public void Load_HubSpotOwnerMappingAndADirectoryWithoutOwnerIds_ReportsWF0408AtTheField()
    {
        Copy("b2b-onboarding.yaml", "b2b.yaml");
        Copy("people.yaml", "people.yaml", t => string.Join('\n', t.Split('\n').Where(l => !l.TrimStart().StartsWith("hubspot_owner:", StringComparison.Ordinal))));

        var result = WorkflowCatalogLoader.Load([folder]);

        var diagnostic = Assert.Single(result.Diagnostics, d => d.Code == DiagnosticCodes.NoHubSpotOwners);
        Assert.Contains("'deal_owner'", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("hubspot_owner", diagnostic.Message, StringComparison.Ordinal);
        Assert.EndsWith("b2b.yaml", diagnostic.Location.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_HubSpotOwnerMappingAndADirectoryWithOwnerIds_IsAccepted()
    {
        Copy("b2b-onboarding.yaml", "b2b.yaml");
        Copy("people.yaml", "people.yaml");

        var result = WorkflowCatalogLoader.Load([folder]);

        Assert.DoesNotContain(result.Diagnostics, d => d.Code == DiagnosticCodes.NoHubSpotOwners);
        Assert.True(result.Succeeded);
    }
}
