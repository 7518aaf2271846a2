using Coordinator.Core.Definitions;

namespace Coordinator.Core.Tests.Definitions;

public sealed class LanguageDocumentationTests
{
    private static readonly string Reference = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "workflow-language.md"));

    [Fact]
    public void Reference_DiagnosticTable_ListsEveryCode()
    {
        var codes = typeof(DiagnosticCodes).GetFields().Select(f => (string)f.GetRawConstantValue()!);

        Assert.All(codes, code => Assert.Contains($"| {code} |", Reference, StringComparison.Ordinal));
    }

    [Fact]
    public void Reference_Example_IsValidWithoutWarnings()
    {
        var start = Reference.IndexOf("```yaml\nschema: coordinator/v1", StringComparison.Ordinal) + "```yaml\n".Length;
        var example = Reference[start..Reference.IndexOf("```", start, StringComparison.Ordinal)];

        var result = WorkflowLoader.LoadText(example, "example.yaml");

        Assert.True(result.Succeeded);
        Assert.Empty(result.Diagnostics);
    }
}
