using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Coordinator.Orchestration;
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

    [Fact]
    public async Task WaitingForAsync_OwnerFromTheStartContext_HasTheActiveStepAndIsKnownWithTheRole()
    {
        var instanceId = await StartedAsync("CORE-6", owner: "core.owner.6");

        var work = await Core.WaitingForAsync("core.owner.6");
        var nobody = await Core.WaitingForAsync("nobody.core.6");

        var item = Assert.Single(work.Items);
        Assert.True(work.IsKnown);
        Assert.Equal((instanceId, "CORE-6", "contract", WorkKind.Step, "active"), (item.Instance.InstanceId, item.Instance.BusinessKey, item.Item.StepId, item.Item.Kind, item.Item.Status));
        Assert.Empty(work.Decisions);
        Assert.False(nobody.IsKnown);
        Assert.Empty(nobody.Items);
        var person = Assert.Single(await Core.PeopleAsync(), p => p.PersonId == "core.owner.6");
        Assert.Equal(["sales"], person.Roles);
        Assert.Equal(1, person.OpenItems);
        Assert.Contains(await Core.PeopleAsync(), p => p.PersonId == "legal.counsel"); // named by a definition's role
    }

    [Fact]
    public async Task WaitingForAsync_BlockedStep_TheOwnerSeesItBlockedAndTheDeciderHasTheDecision()
    {
        var instanceId = await StartedAsync("CORE-7", owner: "core.owner.7");

        var blocked = await Core.SubmitEventAsync(
            instanceId, new HumanEvent("contract", HumanEventType.Blocked, "core.owner.7", Reason: "customer legal still reading"), TimeSpan.FromSeconds(30));
        Assert.Equal(EventResultKind.Applied, blocked.Kind);
        // The projection is written by the turn's activities, the outcome published after them.
        var owner = Assert.Single((await Core.WaitingForAsync("core.owner.7")).Items);
        var decision = Assert.Single((await Core.WaitingForAsync("csm.lead")).Decisions, d => d.Instance.InstanceId == instanceId);

        Assert.Equal(("blocked", "customer legal still reading"), (owner.Item.Status, owner.Item.BlockReason));
        Assert.Equal((WorkKind.Block, "contract", "core.owner.7"), (decision.Item.Kind, decision.Item.StepId, decision.Item.BlockedBy));
        Assert.Single(await Core.RunningAsync(CoordinatorService.MaxWorkItems), r => r.Instance.InstanceId == instanceId && r.Waiting.Single().Status == "blocked");
    }

    /// <summary>Starts an smb onboarding and waits (bounded) until its first step is active.</summary>
    private async Task<string> StartedAsync(string businessKey, string owner = "sales.rep")
    {
        var started = await Core.StartAsync("b2b-onboarding", businessKey, new Dictionary<string, string>(Smb) { ["deal_owner"] = owner });
        Assert.True(started.Accepted, started.Problem?.Message);
        var active = await Core.WatchAsync(
            started.InstanceId,
            // Active, and shown in people's work lists (the projection follows the status).
            metadata => metadata?.ReadCustomStatusAs<CoordinatorStatus>() is { } status && status.WorkShows(status.Instance.Sequence)
                ? CoordinatorService.ToView(metadata).Steps.SingleOrDefault(s => s.StepId == "contract" && s.Status == "active")
                : null,
            TimeSpan.FromSeconds(30));
        Assert.True(active is not null, $"{started.InstanceId}: the contract step did not become active within 30 s");
        return started.InstanceId;
    }
}
