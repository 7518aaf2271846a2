using Coordinator.Core.Engine;
using Coordinator.Hosting.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Hosting.Tests.Application;

/// <summary>
/// The application core's operations, called directly as a channel does (no HTTP): the in-process
/// server's <see cref="CoordinatorService"/> over its in-memory Durable backend.
/// </summary>
public sealed class CoordinatorServiceTests(MemoryServerFixture server) : IClassFixture<MemoryServerFixture>
{
    private static readonly Dictionary<string, string> Smb = new() { ["deal_owner"] = "sales.rep", ["segment"] = "smb" };

    private CoordinatorService Core => server.Server.Services.GetRequiredService<CoordinatorService>();

    [Fact]
    public async Task StartAsync_SameBusinessKeyTwice_StartsOneInstanceAndFindsItTheSecondTime()
    {
        var first = await Core.StartAsync("b2b-onboarding", "CORE-1", Smb);
        var second = await Core.StartAsync("b2b-onboarding", "CORE-1", Smb);

        Assert.True(first.Accepted, first.Problem?.Message);
        Assert.False(first.AlreadyExisted);
        Assert.True(second.Accepted, second.Problem?.Message);
        Assert.True(second.AlreadyExisted);
        Assert.Equal(first.InstanceId, second.InstanceId);
        Assert.Equal("CORE-1", (await Core.GetInstanceAsync(first.InstanceId))!.BusinessKey);
    }

    [Fact]
    public async Task StartAsync_UnknownWorkflowOrMissingContext_RefusesNamingTheProblemAndStartsNothing()
    {
        var unknown = await Core.StartAsync("no-such-workflow", "CORE-2", Smb);
        var missing = await Core.StartAsync("b2b-onboarding", "CORE-2", new Dictionary<string, string> { ["segment"] = "smb" });

        Assert.Equal(StartProblemKind.UnknownWorkflow, unknown.Problem?.Kind);
        Assert.Equal(StartProblemKind.MissingContext, missing.Problem?.Kind);
        Assert.Equal(["deal_owner"], missing.Problem!.MissingContext);
        Assert.Null(await Core.GetInstanceAsync(InstanceIds.For("b2b-onboarding", "CORE-2")));
    }

    [Fact]
    public async Task SubmitEventAsync_NoteByTheOwner_IsAppliedWithTheAuditNumberOfItsAction()
    {
        var instanceId = await StartedAsync("CORE-3");

        var result = await Core.SubmitEventAsync(instanceId, new HumanEvent("contract", HumanEventType.Progress, "sales.rep", Text: "order form sent"), TimeSpan.FromSeconds(30));

        Assert.Equal(EventResultKind.Applied, result.Kind);
        Assert.NotNull(result.EventId);
        var note = Assert.Single(server.Audit.All, e => e.InstanceId == instanceId && e.Action == "step.progress");
        Assert.Equal(result.Sequence, note.Detail!.Value.GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task SubmitEventAsync_SomeoneWhoDoesNotOwnTheStep_IsRejectedWithTheEnginesReasonAndNotRaised()
    {
        var instanceId = await StartedAsync("CORE-4");

        var result = await Core.SubmitEventAsync(instanceId, new HumanEvent("contract", HumanEventType.Done, "legal.counsel"), TimeSpan.FromSeconds(30));

        Assert.Equal(EventResultKind.Rejected, result.Kind);
        Assert.Null(result.EventId);
        Assert.Contains("legal.counsel", result.Reason, StringComparison.Ordinal);
        Assert.Equal("active", (await Core.GetInstanceAsync(instanceId))!.Steps.Single(s => s.StepId == "contract").Status);
    }

    [Fact]
    public async Task SubmitEventAsync_UnknownInstanceOrStep_SaysWhichIsUnknown()
    {
        var instanceId = await StartedAsync("CORE-5");

        var noInstance = await Core.SubmitEventAsync("b2b-onboarding.NOPE", new HumanEvent("contract", HumanEventType.Done, "sales.rep"), TimeSpan.Zero);
        var noStep = await Core.SubmitEventAsync(instanceId, new HumanEvent("no-such-step", HumanEventType.Done, "sales.rep"), TimeSpan.Zero);

        Assert.Equal(EventResultKind.UnknownInstance, noInstance.Kind);
        Assert.Equal(EventResultKind.UnknownStep, noStep.Kind);
        Assert.Contains("no-such-step", noStep.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void HumanEventFields_ABlockWithoutReasonOrAnUnknownField_NamesTheField()
    {
        var (_, noReason) = HumanEventFields.Parse("contract", new Dictionary<string, string?> { ["type"] = "blocked", ["by"] = "sales.rep" });
        var (_, unknown) = HumanEventFields.Parse("contract", new Dictionary<string, string?> { ["type"] = "done", ["by"] = "sales.rep", ["when"] = "now" });
        var (parsed, none) = HumanEventFields.Parse("contract", new Dictionary<string, string?> { ["type"] = "done", ["by"] = " sales.rep ", ["id"] = "e-1" });

        Assert.Equal("reason", noReason?.Field);
        Assert.Equal("when", unknown?.Field);
        Assert.Null(none);
        Assert.Equal(new HumanEvent("contract", HumanEventType.Done, "sales.rep") { EventId = "e-1" }, parsed);
    }

    /// <summary>Starts an smb onboarding and waits (bounded) until its first step is active.</summary>
    private async Task<string> StartedAsync(string businessKey)
    {
        var started = await Core.StartAsync("b2b-onboarding", businessKey, Smb);
        Assert.True(started.Accepted, started.Problem?.Message);
        var active = await Core.WatchAsync(
            started.InstanceId,
            metadata => metadata is null ? null : CoordinatorService.ToView(metadata).Steps.SingleOrDefault(s => s.StepId == "contract" && s.Status == "active"),
            TimeSpan.FromSeconds(30));
        Assert.True(active is not null, $"{started.InstanceId}: the contract step did not become active within 30 s");
        return started.InstanceId;
    }
}
