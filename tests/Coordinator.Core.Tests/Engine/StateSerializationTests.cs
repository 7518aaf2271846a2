using System.Text.Json;
using Coordinator.Core.Engine;
using static Coordinator.Core.Tests.Engine.TestDefinitions;

namespace Coordinator.Core.Tests.Engine;

public sealed class StateSerializationTests
{
    [Fact]
    public void InstanceState_JsonRoundTrip_ContinuesExactlyLikeTheOriginal()
    {
        var d = EngineDriver.Onboarding()
            .Done(D(1), "contract", "sales.rep")
            .Done(D(3), "billing-setup", "billing.specialist")
            .Apply(D(4), "it-setup", HumanEventType.Blocked, "it.engineer", reason: "customer IdP undecided")
            .AdvanceTo(D(6));

        var json = JsonSerializer.Serialize(d.State);
        var restored = JsonSerializer.Deserialize<InstanceState>(json)!;

        Assert.Equal(json, JsonSerializer.Serialize(restored));
        var decide = new HumanEvent("it-setup", HumanEventType.Decide, "it.lead", Option: "wait-for-customer");
        var fromOriginal = CoordinationEngine.Apply(d.Definition, d.State, decide, T0 + D(9));
        var fromRestored = CoordinationEngine.Apply(d.Definition, restored, decide, T0 + D(9));
        Assert.Equal(JsonSerializer.Serialize(fromOriginal), JsonSerializer.Serialize(fromRestored));
    }

    [Fact]
    public void CoordinationAction_Json_UsesWireNamesAndRoundTrips()
    {
        var d = EngineDriver.Onboarding();
        var action = d.Actions[1];

        var json = JsonSerializer.Serialize(action);

        Assert.Contains("\"Type\":\"step.activated\"", json, StringComparison.Ordinal);
        Assert.Equal(json, JsonSerializer.Serialize(JsonSerializer.Deserialize<CoordinationAction>(json)));
    }

    [Fact]
    public void Actions_Keys_AreUniqueAndNumberedInOrder()
    {
        var d = EngineDriver.Onboarding().Done(D(1), "contract", "sales.rep").AdvanceTo(D(20));

        Assert.Equal(d.Actions.Count, d.Actions.Select(a => a.Key).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, d.Actions.Count).Select(i => (long)i), d.Actions.Select(a => a.Sequence));
        Assert.Equal("000001:instance.started", d.Actions[0].Key);
        Assert.Equal("000002:step.activated:contract", d.Actions[1].Key);
    }
}
