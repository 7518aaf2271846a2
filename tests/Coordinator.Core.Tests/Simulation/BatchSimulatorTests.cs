using Coordinator.Core.Simulation;

namespace Coordinator.Core.Tests.Simulation;

public sealed class BatchSimulatorTests
{
    [Theory]
    [InlineData("b2b-onboarding")]
    [InlineData("auto-liability-claim")]
    [InlineData("it-change-management")]
    public void Run_SameSeed_SameTotalsAndEveryInstanceCompletes(string id)
    {
        var definition = Samples.Definition(id);

        var first = BatchSimulator.Run(definition, 40, seed: 9, Samples.Start);
        var second = BatchSimulator.Run(definition, 40, seed: 9, Samples.Start);

        Assert.Equal(40, first.Completed);
        Assert.Equal(
            (first.Reminders, first.Escalations, first.Decisions, first.Actions, first.SimulatedTime),
            (second.Reminders, second.Escalations, second.Decisions, second.Actions, second.SimulatedTime));
        Assert.Equal(0, first.Rejections);
    }

    [Fact]
    public void Run_DifferentSeeds_BehaveDifferently()
    {
        var definition = Samples.Definition("b2b-onboarding");

        var a = BatchSimulator.Run(definition, 20, seed: 1, Samples.Start);
        var b = BatchSimulator.Run(definition, 20, seed: 1000, Samples.Start);

        Assert.NotEqual((a.Actions, a.SimulatedTime), (b.Actions, b.SimulatedTime));
    }

    [Fact]
    public void Run_Progress_ReportsUpToTheTotal()
    {
        var reports = new List<int>();

        BatchSimulator.Run(Samples.Definition("b2b-onboarding"), 200, seed: 3, Samples.Start, progress: new SynchronousProgress(reports));

        Assert.Equal(100, reports.Count);
        Assert.Equal(200, reports[^1]);
    }

    private sealed class SynchronousProgress(List<int> reports) : IProgress<int>
    {
        public void Report(int value) => reports.Add(value);
    }
}
