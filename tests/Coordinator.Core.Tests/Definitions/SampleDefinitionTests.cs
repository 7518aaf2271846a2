using System.Text.Json;
using System.Text.RegularExpressions;
using Coordinator.Core.Definitions;
using YamlDotNet.RepresentationModel;

namespace Coordinator.Core.Tests.Definitions;

/// <summary>The published samples in workflow-definitions/ are valid and shaped as the issue describes.</summary>
public sealed partial class SampleDefinitionTests
{
    public static TheoryData<string> Samples => [.. RepoPaths.SampleDefinitionFiles.Select(f => Path.GetFileName(f))];

    [Fact]
    public void Load_WorkflowDefinitionsFolder_HasNoDiagnostics()
    {
        var result = WorkflowCatalogLoader.Load([RepoPaths.Samples]);

        Assert.Empty(result.Diagnostics);
        Assert.Equal(result.Files.Count, result.Definitions.Count);
        Assert.Equal(["auto-liability-claim", "b2b-onboarding", "it-change-management"], result.Definitions.Select(d => d.Id).Order());
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void LoadFile_Sample_StartsWithTheSchemaComment(string sample)
    {
        var firstLine = File.ReadLines(RepoPaths.Sample(sample)).First();

        Assert.Equal("# yaml-language-server: $schema=./schema/coordinator-v1.schema.json", firstLine);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void LoadText_JsonFormOfSample_HasTheSameContentHashAsTheYaml(string sample)
    {
        var path = RepoPaths.Sample(sample);
        var fromYaml = WorkflowLoader.LoadFile(path).Definition!;

        var fromJson = WorkflowLoader.LoadText(YamlToJson(File.ReadAllText(path)), Path.ChangeExtension(sample, ".json"));

        Assert.True(fromJson.Succeeded, string.Join("\n", fromJson.Diagnostics));
        Assert.Equal(fromYaml.ContentHash, fromJson.Definition!.ContentHash);
    }

    [Fact]
    public void LoadFile_B2bOnboarding_HasEightStepsAParallelBranchAJoinAndTheItBlock()
    {
        var d = WorkflowLoader.LoadFile(RepoPaths.Sample("b2b-onboarding.yaml")).Definition!;

        Assert.Equal(("b2b-onboarding", 2, "deal_id"), (d.Id, d.Version, d.BusinessKey));
        Assert.Equal(8, d.Steps.Count);
        Assert.Equal("contract", d.Steps[0].Id);
        Assert.Equal(["contract"], d.FindStep("legal-review")!.After);
        Assert.Equal(["contract"], d.FindStep("billing-setup")!.After);
        Assert.Equal(["billing-setup"], d.FindStep("it-setup")!.After);
        Assert.True(d.FindStep("go-live")!.After.Count > 1);
        Assert.Equal("deal_owner", d.FindRole("sales")!.FromContext);

        var block = d.FindStep("it-setup")!.OnBlocked!;
        Assert.Equal(["lead", "process_owner"], block.Notify);
        Assert.Equal("it-lead", block.DecisionBy);
        Assert.Equal(["temporary-accounts", "wait-for-customer", "manual-provisioning"], block.Alternatives.Select(a => a.Id));
        Assert.Equal(TimeSpan.FromDays(7), block.Alternatives[1].ExtendDue);
        Assert.Equal(["enterprise", "mid-market"], d.FindStep("it-setup")!.When!.In);
    }

    [Fact]
    public void LoadFile_AutoLiabilityClaim_RoutesOnSeverityAndOnTheReserveDecision()
    {
        var d = WorkflowLoader.LoadFile(RepoPaths.Sample("auto-liability-claim.yaml")).Definition!;

        Assert.Equal("claim_number", d.BusinessKey);
        Assert.Equal("severity", d.FindStep("field-inspection")!.When!.Field);
        var decision = d.FindStep("reserve-decision")!;
        Assert.Equal(StepType.Decision, decision.Type);
        Assert.Equal(["approve", "adjust"], decision.Options.Select(o => o.Id));
        Assert.Equal(("reserve-decision", "adjust"), (d.FindStep("reserve-adjustment")!.When!.Decision, d.FindStep("reserve-adjustment")!.When!.Is));
        Assert.NotNull(d.FindStep("idd-compliance"));
        Assert.NotNull(d.FindStep("liquidation"));
    }

    [Fact]
    public void LoadFile_ItChangeManagement_VerifiesInParallelAndJoinsInTheReview()
    {
        var d = WorkflowLoader.LoadFile(RepoPaths.Sample("it-change-management.yaml")).Definition!;

        Assert.Equal(["approve", "reject", "defer"], d.FindStep("cab-decision")!.Options.Select(o => o.Id));
        Assert.Equal(["implementation"], d.FindStep("ops-verification")!.After);
        Assert.Equal(["implementation"], d.FindStep("security-verification")!.After);
        Assert.Equal(["ops-verification", "security-verification"], d.FindStep("post-implementation-review")!.After);
        Assert.Null(d.EscalationFor(d.FindStep("post-implementation-review")!));
    }

    /// <summary>Converts YAML to JSON generically: unquoted whole numbers become JSON numbers, everything else strings.</summary>
    internal static string YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            Write(writer, stream.Documents[0].RootNode);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Children)
                {
                    writer.WritePropertyName(((YamlScalarNode)key).Value!);
                    Write(writer, value);
                }
                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children)
                    Write(writer, item);
                writer.WriteEndArray();
                break;
            case YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar when WholeNumber().IsMatch(scalar.Value!):
                writer.WriteRawValue(scalar.Value!);
                break;
            case YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "true" or "false" } flag:
                writer.WriteBooleanValue(flag.Value == "true");
                break;
            case YamlScalarNode scalar:
                writer.WriteStringValue(scalar.Value);
                break;
        }
    }

    [GeneratedRegex("^[0-9]+$")]
    private static partial Regex WholeNumber();
}
