using System.Text.Json;
using Coordinator.Core.Engine;
using Coordinator.Orchestration.Tests.Support;
using Microsoft.DurableTask.Converters;

namespace Coordinator.Orchestration.Tests;

public sealed class CoordinatorStatusTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    /// <summary>An engine state with every field in use: running, blocked, decided, reminded, escalated, finished steps.</summary>
    private static InstanceState BusyState()
    {
        var d = TestWorkflows.Everything;
        var state = CoordinationEngine.Start(d, new Dictionary<string, string> { ["ref"] = "R-1" }, Start).State;
        state = CoordinationEngine.Apply(d, state, new HumanEvent("intake", HumanEventType.Done, "ann.worker"), Start.AddHours(3)).State;
        state = CoordinationEngine.Apply(d, state, new HumanEvent("setup", HumanEventType.Blocked, "ann.worker", Reason: "waiting"), Start.AddHours(4)).State;
        state = CoordinationEngine.Advance(d, state, Start.AddHours(7)).State;
        return state;
    }

    [Theory]
    [MemberData(nameof(CoordinatorInputTests.Converters), MemberType = typeof(CoordinatorInputTests))]
    public void ReadCustomStatus_StatusThroughTheDurableDataConverter_ValidatesEventsLikeTheEngineState(string converterName)
    {
        var definition = TestWorkflows.Everything;
        var state = BusyState();
        var status = new CoordinatorStatus(state, new CoordinatorProgress(Start.AddHours(7), Turns: 4), Start.AddHours(8), 60);
        var converter = CoordinatorInputTests.ConverterNamed(converterName);

        var read = converter.Deserialize<CoordinatorStatus>(converter.Serialize(status))!;

        Assert.Equal(JsonSerializer.Serialize(state), JsonSerializer.Serialize(read.Instance));
        Assert.Equal(StepStatus.Blocked, read.Instance.FindStep("setup")!.Status);
        Assert.Equal(status.Progress, read.Progress);
        HumanEvent[] events =
        [
            new("setup", HumanEventType.Decide, "pat.owner", Option: "wait"),
            new("setup", HumanEventType.Decide, "ann.worker", Option: "wait"),
            new("review", HumanEventType.Decide, "pat.owner", Option: "approve"),
            new("legal", HumanEventType.Done, "ann.worker"),
        ];
        foreach (var e in events)
            Assert.Equal(CoordinationEngine.Validate(definition, state, e), CoordinationEngine.Validate(definition, read.Instance, e));
    }
}
