using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Orchestration.Tests.Support;
using Microsoft.DurableTask.Converters;

namespace Coordinator.Orchestration.Tests;

public sealed class CoordinatorInputTests
{
    [Fact]
    public void Create_DefinitionWithBusinessKey_TakesTheKeyFromTheStartContext()
    {
        var input = CoordinatorInput.Create(TestWorkflows.Everything, new Dictionary<string, string> { ["ref"] = "R-9" });
        Assert.Equal("R-9", input.BusinessKey);
        Assert.Equal(1, input.TimeScale);
        Assert.Equal(CoordinatorInput.DefaultTurnsPerGeneration, input.TurnsPerGeneration);
    }

    /// <summary>The SDK's default converter (the Functions host, older instances) and the standalone host's.</summary>
    public static TheoryData<string> Converters => ["default", "coordinator"];

    internal static JsonDataConverter ConverterNamed(string name) =>
        name == "coordinator" ? CoordinatorDataConverter.Instance : JsonDataConverter.Default;

    [Theory]
    [MemberData(nameof(Converters))]
    public void Serialize_InputThroughTheDurableDataConverter_KeepsTheDefinitionContent(string converter)
    {
        var input = CoordinatorInput.Create(TestWorkflows.Everything, new Dictionary<string, string> { ["ref"] = "R-9" }, timeScale: 120);

        var read = ConverterNamed(converter).Deserialize<CoordinatorInput>(ConverterNamed(converter).Serialize(input))!;

        Assert.Equal(DefinitionJson.Canonical(input.Definition), DefinitionJson.Canonical(read.Definition));
        Assert.Equal(input.Definition.ContentHash, read.Definition.ContentHash);
        Assert.Equal(120, read.TimeScale);
        Assert.Equal(input.Retry, read.Retry);
        Assert.True(read.FoldLateTimers);
    }

    [Fact]
    public void CoordinatorDataConverter_Input_WritesNoNullsAndReadsWhatTheDefaultConverterWrote()
    {
        var input = CoordinatorInput.Create(TestWorkflows.Everything, new Dictionary<string, string> { ["ref"] = "R-9" }, timeScale: 120);
        var withNulls = JsonDataConverter.Default.Serialize(input)!;
        var withoutNulls = CoordinatorDataConverter.Instance.Serialize(input)!;

        Assert.Contains(":null", withNulls, StringComparison.Ordinal);
        Assert.DoesNotContain(":null", withoutNulls, StringComparison.Ordinal);
        Assert.True(withoutNulls.Length < withNulls.Length * 0.9, $"{withoutNulls.Length} characters without nulls against {withNulls.Length} with them");
        // An instance started before the host left nulls out replays with the same input.
        var read = CoordinatorDataConverter.Instance.Deserialize<CoordinatorInput>(withNulls)!;
        Assert.Equal(withoutNulls, CoordinatorDataConverter.Instance.Serialize(read));
    }

    [Fact]
    public void Deserialize_InputStoredBeforeFoldingExisted_DoesNotFold()
    {
        var stored = JsonDataConverter.Default.Serialize(CoordinatorInput.Create(TestWorkflows.ParallelJoin, TestWorkflows.NoContext))!
            .Replace(",\"FoldLateTimers\":true", "", StringComparison.Ordinal);
        Assert.DoesNotContain("FoldLateTimers", stored, StringComparison.Ordinal);

        var read = JsonDataConverter.Default.Deserialize<CoordinatorInput>(stored)!;

        Assert.False(read.FoldLateTimers);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Validate_TimeScaleBelowOneOrNotFinite_ThrowsWithTheFix(double scale)
    {
        var input = CoordinatorInput.Create(TestWorkflows.ParallelJoin, TestWorkflows.NoContext, scale);
        var error = Assert.Throws<ArgumentException>(input.Validate);
        Assert.Contains("TimeScale must be a finite number ≥ 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CarriedStateOfAnotherDefinitionVersion_Throws()
    {
        var state = CoordinationEngine.Start(TestWorkflows.ParallelJoin, TestWorkflows.NoContext, DateTimeOffset.UnixEpoch).State;
        var input = CoordinatorInput.Create(TestWorkflows.ParallelJoin with { Version = 2 }, TestWorkflows.NoContext) with
        {
            CarryOver = new CoordinatorCarryOver(state, new CoordinatorProgress(DateTimeOffset.UnixEpoch)),
        };
        var error = Assert.Throws<ArgumentException>(input.Validate);
        Assert.Contains("must continue with the definition it started with", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ZeroTurnsPerGeneration_Throws()
    {
        var input = CoordinatorInput.Create(TestWorkflows.ParallelJoin, TestWorkflows.NoContext) with { TurnsPerGeneration = 0 };
        Assert.Throws<ArgumentException>(input.Validate);
    }
}
