using Coordinator.Core.Engine;
using Coordinator.Core.Simulation;

namespace Coordinator.Core.Tests.Simulation;

public sealed class ScenarioLoaderTests
{
    private static readonly Coordinator.Core.Definitions.WorkflowDefinition Onboarding = Samples.Definition("b2b-onboarding");

    private static ScenarioLoadResult Load(string yaml) => ScenarioLoader.LoadText(yaml, "s.yaml", Onboarding);

    [Fact]
    public void LoadText_ValidScenario_ReadsContextAndEventsInTimeOrder()
    {
        var result = Load("""
            context: { deal_id: D-1, deal_owner: sales.rep }
            events:
              - { at: 2d, step: legal-review, type: progress, by: legal.counsel, text: "redlines" }
              - { at: 1d, step: contract, type: done, by: sales.rep }
              - { at: 3d, step: it-setup, type: decide, option: temporary-accounts, by: it.lead }
              - { at: 4d, step: contract, type: reassign, to: sales.lead, by: csm.lead }
            """);

        Assert.True(result.Succeeded);
        var scenario = result.Scenario!;
        Assert.Equal("sales.rep", scenario.Context["deal_owner"]);
        Assert.Equal(["contract", "legal-review", "it-setup", "contract"], scenario.Events.Select(e => e.Event.StepId));
        Assert.Equal(new HumanEvent("legal-review", HumanEventType.Progress, "legal.counsel", Text: "redlines"), scenario.Events[1].Event);
        Assert.Equal("temporary-accounts", scenario.Events[2].Event.Option);
        Assert.Equal("sales.lead", scenario.Events[3].Event.To);
        Assert.Equal(TimeSpan.FromDays(1), scenario.Events[0].At);
    }

    [Theory]
    [InlineData("events:\n  - { at: 1d, step: contract, tpye: done, by: sales.rep }", 2, 31, "unknown key 'tpye' in event #1; allowed: at, step, type, by, text, reason, option, to. Did you mean 'type'?")]
    [InlineData("events:\n  - { at: soon, step: contract, type: done, by: sales.rep }", 2, 11, "'at' of event #1 is 'soon', not a duration")]
    [InlineData("events:\n  - { at: 1d, step: contrakt, type: done, by: sales.rep }", 2, 21, "event #1 names step 'contrakt', which 'b2b-onboarding' does not have. Did you mean 'contract'?")]
    [InlineData("events:\n  - { at: 1d, step: contract, type: finished, by: sales.rep }", 2, 37, "'type' of event #1 is 'finished'; use one of done, progress, blocked, decide, reassign.")]
    [InlineData("events:\n  - { at: 1d, step: contract, type: done }", 2, 5, "event #1 has no 'by'.")]
    [InlineData("context: { a: 1, a: 2 }", 1, 18, "'a' appears twice in 'context'; keep one.")]
    [InlineData("events: 3", 1, 9, "'events' must be a list")]
    [InlineData("stuff: []", 1, 1, "unknown key 'stuff' in the scenario")]
    public void LoadText_Mistake_ReportsItFirstWithLineAndColumn(string yaml, int line, int column, string messageStart)
    {
        var result = Load(yaml);

        Assert.False(result.Succeeded);
        var error = result.Diagnostics[0];
        Assert.Equal(("s.yaml", line, column), (error.Location.File, error.Location.Line, error.Location.Column));
        Assert.StartsWith(messageStart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_MissingFile_SaysTheFileDoesNotExist()
    {
        var result = ScenarioLoader.LoadFile("/nonexistent/scenario.yaml", Onboarding);

        Assert.Equal("cannot read the scenario: the file does not exist", Assert.Single(result.Diagnostics).Message);
    }

    [Theory]
    [InlineData("b2b-onboarding", "b2b-onboarding.happy-path")]
    [InlineData("b2b-onboarding", "b2b-onboarding.stalled")]
    [InlineData("auto-liability-claim", "auto-liability-claim.reserve-adjusted")]
    [InlineData("it-change-management", "it-change-management.approved")]
    public void LoadFile_SampleScenario_LoadsWithoutDiagnostics(string definition, string scenario)
    {
        var result = ScenarioLoader.LoadFile(Samples.ScenarioPath(scenario), Samples.Definition(definition));

        Assert.Empty(result.Diagnostics);
    }
}
