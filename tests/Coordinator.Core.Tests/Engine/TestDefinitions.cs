using Coordinator.Core.Definitions;

namespace Coordinator.Core.Tests.Engine;

/// <summary>Definitions built in code for engine tests (the b2b onboarding sample, and a small configurable one).</summary>
internal static class TestDefinitions
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    public static readonly IReadOnlyDictionary<string, string> OnboardingContext = new Dictionary<string, string>
    {
        ["deal_id"] = "D-1001",
        ["deal_owner"] = "sales.rep",
        ["segment"] = "enterprise",
    };

    public static TimeSpan D(double days) => TimeSpan.FromDays(days);

    public static TimeSpan H(double hours) => TimeSpan.FromHours(hours);

    public static RoleDefinition Role(string id, string? lead = null, params string[] people) => new() { Id = id, People = people, Lead = lead };

    public static StepDefinition Step(string id, string owner, TimeSpan? due = null, params string[] after) =>
        new() { Id = id, Title = id, Owner = owner, Due = due, After = after };

    public static readonly WorkflowDefinition Onboarding = new()
    {
        Schema = WorkflowDefinition.SchemaV1,
        Id = "b2b-onboarding",
        Version = 1,
        Title = "B2B customer onboarding",
        ProcessOwner = "csm",
        BusinessKey = "deal_id",
        Roles =
        [
            Role("csm", "cs-director", "csm.lead"),
            Role("cs-director", null, "cs.director"),
            new RoleDefinition { Id = "sales", FromContext = "deal_owner", Lead = "sales-lead" },
            Role("sales-lead", null, "sales.lead"),
            Role("legal", null, "legal.counsel"),
            Role("billing", "finance-lead", "billing.specialist"),
            Role("finance-lead", null, "finance.lead"),
            Role("it", "it-lead", "it.engineer"),
            Role("it-lead", null, "it.lead"),
        ],
        Defaults = new StepDefaults
        {
            Reminders = new ReminderRule { BeforeDue = [D(2), H(4)], OverdueEvery = D(1) },
            Escalation = new EscalationRule
            {
                Silence = D(3),
                Levels =
                [
                    new EscalationLevel { After = TimeSpan.Zero, Notify = ["lead"] },
                    new EscalationLevel { After = D(2), Notify = ["process_owner"] },
                ],
            },
        },
        Steps =
        [
            Step("contract", "sales", D(5)),
            Step("legal-review", "legal", D(7), "contract"),
            Step("billing-setup", "billing", D(7), "contract"),
            Step("it-setup", "it", D(10), "billing-setup") with
            {
                When = new StepCondition { Field = "segment", In = ["enterprise", "mid-market"] },
                OnBlocked = new BlockPolicy
                {
                    Notify = ["lead", "process_owner"],
                    DecisionBy = "it-lead",
                    Alternatives =
                    [
                        new DecisionOption { Id = "temporary-accounts", Title = "Start with local accounts" },
                        new DecisionOption { Id = "wait-for-customer", Title = "Wait for the customer's IdP decision", ExtendDue = D(7) },
                        new DecisionOption { Id = "manual-provisioning", Title = "Provision users by hand" },
                    ],
                },
            },
            Step("data-migration", "it", D(7), "it-setup") with
            {
                When = new StepCondition { Field = "segment", In = ["enterprise", "mid-market"] },
            },
            Step("training", "csm", D(7), "it-setup"),
            Step("go-live", "csm", D(3), "legal-review", "data-migration", "training") with
            {
                Reminders = new ReminderRule { BeforeDue = [D(1), H(2)], OverdueEvery = H(4) },
                Escalation = new EscalationRule
                {
                    Silence = D(1),
                    Levels =
                    [
                        new EscalationLevel { After = TimeSpan.Zero, Notify = ["lead"] },
                        new EscalationLevel { After = H(4), Notify = ["process_owner", "sales"] },
                    ],
                },
            },
            Step("handover", "csm", D(7), "go-live") with { Reminders = ReminderRule.None },
        ],
        Summary = new SummaryRule { To = ["process_owner", "sales-lead"], Every = D(7) },
        ContentHash = "test-onboarding",
    };

    /// <summary>A decision routing: decide → (approve) build | (reject) notice; close after both.</summary>
    public static readonly WorkflowDefinition Routing = new()
    {
        Schema = WorkflowDefinition.SchemaV1,
        Id = "routing",
        Version = 1,
        Title = "Routing",
        ProcessOwner = "boss",
        Roles = [Role("boss", null, "the.boss"), Role("team", "boss", "worker.one", "worker.two")],
        Steps =
        [
            Step("decide", "boss", D(2)) with
            {
                Type = StepType.Decision,
                Options = [new DecisionOption { Id = "approve", Title = "Approve" }, new DecisionOption { Id = "reject", Title = "Reject" }],
            },
            Step("build", "team", D(3), "decide") with { When = new StepCondition { Decision = "decide", Is = "approve" } },
            Step("notice", "boss", D(1), "decide") with { When = new StepCondition { Decision = "decide", Is = "reject" } },
            Step("close", "boss", null, "build", "notice"),
        ],
    };

    /// <summary>One step with the given rules, owned by "team" (worker.one) whose lead role is "leads" (team.lead); process owner "boss".</summary>
    public static WorkflowDefinition Single(
        TimeSpan? due = null,
        ReminderRule? reminders = null,
        EscalationRule? escalation = null,
        BlockPolicy? onBlocked = null,
        SummaryRule? summary = null) => new()
        {
            Schema = WorkflowDefinition.SchemaV1,
            Id = "single",
            Version = 1,
            Title = "Single",
            ProcessOwner = "boss",
            Roles =
            [
                Role("boss", null, "the.boss"),
                Role("team", "leads", "worker.one"),
                Role("leads", null, "team.lead"),
                Role("other", null, "someone.else"),
            ],
            Steps =
            [
                Step("work", "team", due) with
                {
                    Reminders = reminders ?? ReminderRule.None,
                    Escalation = escalation,
                    OnBlocked = onBlocked,
                },
            ],
            Summary = summary,
        };
}
