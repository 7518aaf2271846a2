using System.Text.Json;
using Coordinator.Core.Simulation;

namespace Coordinator.Core.Tests.Simulation;

public sealed class TimelineWriterTests
{
    private static readonly string[] Types =
    [
        "instance.started", "step.activated", "step.skipped", "reminder", "escalation", "step.blocked", "decision.requested",
        "decision.made", "step.reassigned", "step.completed", "summary", "event.rejected", "instance.completed", "step.progress",
    ];

    private static readonly string[] Fields = ["at", "type", "step", "to", "by", "level", "reason", "option", "options", "due", "steps", "text"];

    [Fact]
    public void WriteJsonLines_HappyPath_OneObjectPerActionWithTheDocumentedFields()
    {
        var result = Samples.Simulate("b2b-onboarding", "b2b-onboarding.happy-path");
        using var output = new StringWriter();

        TimelineWriter.WriteJsonLines(output, result.Actions);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(result.Actions.Count, lines.Length);
        var previous = DateTimeOffset.MinValue;
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            Assert.All(root.EnumerateObject(), p => Assert.Contains(p.Name, Fields));
            var at = root.GetProperty("at").GetString()!;
            Assert.EndsWith("Z", at, StringComparison.Ordinal);
            var time = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(time >= previous);
            previous = time;
            var type = root.GetProperty("type").GetString()!;
            Assert.Contains(type, Types);
            if (type == "escalation")
                Assert.Equal(JsonValueKind.Number, root.GetProperty("level").ValueKind);
            if (type is "reminder" or "escalation" or "step.activated")
                Assert.Equal(JsonValueKind.Array, root.GetProperty("to").ValueKind);
            if (type == "decision.requested")
                Assert.Equal(3, root.GetProperty("options").GetArrayLength());
        }
        Assert.StartsWith("{\"at\":\"2026-01-05T09:00:00Z\",\"type\":\"instance.started\"", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void WriteText_HappyPath_OneLinePerActionThenTheOutcome()
    {
        var definition = Samples.Definition("b2b-onboarding");
        var result = Simulator.Run(definition, Samples.Scenario("b2b-onboarding.happy-path", definition), Samples.Start);
        using var output = new StringWriter();

        TimelineWriter.WriteText(output, definition, result);

        var lines = output.ToString().TrimEnd().Split(Environment.NewLine);
        Assert.Equal(result.Actions.Count + 2, lines.Length);
        Assert.Contains(lines, l => l.Contains("decision.requested  it-setup         → it.lead: temporary-accounts | wait-for-customer | manual-provisioning", StringComparison.Ordinal));
        Assert.Equal(
            "Completed after 5w: 8 done, 0 skipped of 8 steps; 8 reminders, 2 escalations, 1 decision, 0 rejected events.",
            lines[^1]);
    }
}
