using Coordinator.Core.Definitions;

namespace Coordinator.Core.Tests.Definitions;

/// <summary><c>guardrails.topics</c>: read as written, the workflow's own domain when absent, kept through the canonical form, refused with a fix when broken.</summary>
public sealed class GuardrailRulesTests
{
    private static string Sample() => File.ReadAllText(RepoPaths.Sample("b2b-onboarding.yaml"));

    private static string WithGuardrails(string guardrails) => Sample().TrimEnd() + "\n" + guardrails + "\n";

    [Fact]
    public void LoadText_DeclaredTopics_AreTheWorkflowsTopicsAndSurviveTheCanonicalJson()
    {
        var d = WorkflowLoader.LoadText(WithGuardrails("guardrails:\n  topics: [customer onboarding, \"SSO: Okta or Entra\", IT set-up]"), "b2b.yaml").Definition!;
        var again = DefinitionJson.Deserialize(DefinitionJson.Canonical(d));

        Assert.Equal(["customer onboarding", "SSO: Okta or Entra", "IT set-up"], d.Topics);
        Assert.Equal(d.Topics, again.Topics);
        Assert.Equal(DefinitionJson.Canonical(d), DefinitionJson.Canonical(again));
    }

    [Fact]
    public void LoadText_DeclaredTopics_ChangeTheContentHash()
    {
        var without = WorkflowLoader.LoadText(Sample(), "b2b.yaml").Definition!;
        var with = WorkflowLoader.LoadText(WithGuardrails("guardrails: { topics: customer onboarding }"), "b2b.yaml").Definition!;

        Assert.Equal(["customer onboarding"], with.Topics);
        Assert.NotEqual(without.ContentHash, with.ContentHash);
    }

    [Fact]
    public void LoadFile_WithoutGuardrails_TopicsAreTheTitleAndTheStepTitles()
    {
        var d = WorkflowLoader.LoadFile(RepoPaths.Sample("b2b-onboarding.yaml")).Definition!;

        Assert.Null(d.Guardrails);
        Assert.Equal([d.Title, .. d.Steps.Select(s => s.Title)], d.Topics);
        Assert.DoesNotContain("\"guardrails\"", DefinitionJson.Canonical(d), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("guardrails:\n  topics: []", "WF0108", "is empty; list at least one topic")]
    [InlineData("guardrails:\n  topics: [onboarding, \"\"]", "WF0108", "a topic is empty")]
    [InlineData("guardrails:\n  topics: [onboarding, Onboarding]", "WF0108", "'Onboarding' is listed twice")]
    [InlineData("guardrails:\n  topics: [\"the onboarding of new business customers, including their single sign-on, their billing and more\"]", "WF0108", "a topic has at most 80")]
    [InlineData("guardrails:\n  topcs: [onboarding]", "WF0101", "'topcs'")]
    [InlineData("guardrails: {}", "WF0103", "topics")]
    [InlineData("guardrails:\n  topics: { a: b }", "WF0104", "a list")]
    public void LoadText_BrokenGuardrails_ReportsWhatIsWrongAndHowToFixIt(string guardrails, string code, string hint)
    {
        var result = WorkflowLoader.LoadText(WithGuardrails(guardrails), "b2b.yaml");

        Assert.Contains(result.Diagnostics, d => d.Code == code && d.Message.Contains(hint, StringComparison.Ordinal));
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void LoadText_FiftyOneTopics_IsRefused()
    {
        var topics = string.Join(", ", Enumerable.Range(1, GuardrailRules.MaxTopics + 1).Select(i => $"topic {i}"));

        var result = WorkflowLoader.LoadText(WithGuardrails($"guardrails:\n  topics: [{topics}]"), "b2b.yaml");

        Assert.Contains(result.Diagnostics, d => d.Code == DiagnosticCodes.InvalidValue && d.Message.Contains("lists 51 topics; at most 50", StringComparison.Ordinal));
        Assert.False(result.Succeeded);
    }
}
