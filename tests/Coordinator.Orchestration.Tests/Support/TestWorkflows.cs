using Coordinator.Core.Definitions;

namespace Coordinator.Orchestration.Tests.Support;

/// <summary>Small workflows for the durable tests, in the workflow language, with durations of hours.</summary>
public static class TestWorkflows
{
    /// <summary>
    /// One workflow hour is half a second of real time: fast, yet slow enough that a turn (a few
    /// activity round trips through the in-memory backend, slower on a loaded machine) ends long
    /// before the next timer is due, so the orchestrator never has to catch up a backlog.
    /// </summary>
    public const double TimeScale = 7_200;

    public static readonly IReadOnlyDictionary<string, string> NoContext = new Dictionary<string, string>();

    private const string Header = """
        schema: coordinator/v1
        version: 1
        process_owner: po
        roles:
          po:    { people: [pat.owner] }
          team:  { people: [ann.worker], lead: leads }
          leads: { people: [lee.lead] }

        """;

    /// <summary>intake, then left and right in parallel, then join (no timers: events alone drive it).</summary>
    public static WorkflowDefinition ParallelJoin { get; } = Load("parallel-join.yaml", """
        id: parallel-join
        title: Parallel branch and join
        steps:
          - { id: intake, title: Intake, owner: team, due: 4h }
          - { id: left, title: Left branch, owner: team, after: [intake], due: 4h }
          - { id: right, title: Right branch, owner: team, after: [intake], due: 4h }
          - { id: join, title: Join, owner: team, after: [left, right], due: 4h }
        """);

    /// <summary><see cref="ParallelJoin"/> with an hourly summary, so timers and events interleave.</summary>
    public static WorkflowDefinition ParallelJoinWithSummary { get; } = Load("parallel-join-summary.yaml", """
        id: parallel-join-summary
        title: Parallel branch and join, with summaries
        steps:
          - { id: intake, title: Intake, owner: team, due: 4h }
          - { id: left, title: Left branch, owner: team, after: [intake], due: 4h }
          - { id: right, title: Right branch, owner: team, after: [intake], due: 4h }
          - { id: join, title: Join, owner: team, after: [left, right], due: 4h }
        summary: { to: [process_owner], every: 1h }
        """);

    /// <summary>
    /// One step with a reminder 2h before due (4h), overdue reminders every hour, and escalation after
    /// 3h of silence: level 1 to the lead at once, level 2 to the process owner an hour later.
    /// </summary>
    public static WorkflowDefinition SilentStep { get; } = Load("silent-step.yaml", """
        id: silent-step
        title: A step that goes silent
        steps:
          - id: report
            title: Quarterly report
            owner: team
            due: 4h
            reminders: { before_due: [2h], overdue_every: 1h }
            escalation:
              silence: 3h
              levels:
                - { after: 0h, notify: [lead] }
                - { after: 1h, notify: [process_owner] }
        """);

    /// <summary>A step whose block goes to the process owner with two alternatives (one extends the due time by 4h).</summary>
    public static WorkflowDefinition Blockable { get; } = Load("blockable.yaml", """
        id: blockable
        title: A step that gets blocked
        steps:
          - id: setup
            title: Environment set-up
            owner: team
            due: 8h
            on_blocked:
              notify: [lead]
              decision_by: po
              alternatives:
                - { id: wait, title: Wait for the customer, extend_due: 4h }
                - { id: workaround, title: Use a workaround }
        """);

    /// <summary>A go/no-go decision routing to ship (approve) or rework (reject); the start context field <c>ticket</c> names the instance.</summary>
    public static WorkflowDefinition Routed { get; } = Load("routed.yaml", """
        id: routed
        title: A decision that routes
        business_key: ticket
        steps:
          - id: review
            type: decision
            title: Go or no-go
            owner: po
            options:
              - { id: approve, title: Approve }
              - { id: reject, title: Reject }
          - { id: ship, title: Ship it, owner: team, after: [review], when: { decision: review, is: approve } }
          - { id: rework, title: Rework, owner: team, after: [review], when: { decision: review, is: reject } }
        """);

    /// <summary>
    /// One step due after a day with daily overdue reminders, escalating to the lead after two silent
    /// days, and a summary every three days: the outage test runs it in real time (time scale 1).
    /// </summary>
    public static WorkflowDefinition DailyReminders { get; } = Load("daily-reminders.yaml", """
        id: daily-reminders
        title: Daily reminders
        steps:
          - id: report
            title: Monthly report
            owner: team
            due: 1d
            reminders: { overdue_every: 1d }
            escalation:
              silence: 2d
              levels:
                - { after: 0h, notify: [lead] }
        summary: { to: [process_owner], every: 3d }
        """);

    /// <summary>
    /// Everything at once, with a bounded number of timer actions (no overdue or summary repeats, so
    /// a slow machine cannot make the timers pile up): intake, then legal and setup in parallel (setup
    /// can be blocked), joined by a go/no-go decision routing to ship or rework. Every step escalates
    /// after an hour of silence to the lead, an hour later to the process owner.
    /// </summary>
    public static WorkflowDefinition Everything { get; } = Load("everything.yaml", """
        id: everything
        title: Parallel work, a block, a decision
        business_key: ref
        defaults:
          reminders: { before_due: [1h] }
          escalation:
            silence: 1h
            levels:
              - { after: 0h, notify: [lead] }
              - { after: 1h, notify: [process_owner] }
        steps:
          - { id: intake, title: Intake, owner: team, due: 2h }
          - { id: legal, title: Legal review, owner: team, after: [intake], due: 4h }
          - id: setup
            title: Environment set-up
            owner: team
            after: [intake]
            due: 4h
            on_blocked:
              notify: [lead]
              decision_by: po
              alternatives:
                - { id: wait, title: Wait for the customer, extend_due: 2h }
                - { id: workaround, title: Use a workaround }
          - id: review
            type: decision
            title: Go or no-go
            owner: po
            after: [legal, setup]
            options:
              - { id: approve, title: Approve }
              - { id: reject, title: Reject }
          - { id: ship, title: Ship it, owner: team, after: [review], due: 2h, when: { decision: review, is: approve } }
          - { id: rework, title: Rework, owner: team, after: [review], due: 2h, when: { decision: review, is: reject } }
        """);

    private static WorkflowDefinition Load(string fileName, string body) =>
        Checked(WorkflowLoader.LoadText(Header + body, fileName), fileName);

    private static WorkflowDefinition Checked(LoadResult result, string fileName) =>
        result.Succeeded
            ? result.Definition!
            : throw new InvalidOperationException($"Test workflow {fileName} does not load: {string.Join("; ", result.Diagnostics)}");
}
