using System.Globalization;
using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Core.Input;
using Coordinator.Orchestration;
using Microsoft.DurableTask.Client;

namespace Coordinator.Hosting.Inbox;

/// <summary>What the inbox does after a start form: the message to show and where to send the browser.</summary>
internal sealed record InboxStartOutcome(Flash Flash, string RedirectTo);

/// <summary>What the follow page of a just-started instance does: redirect, or show the message (and reload when <paramref name="KeepWaiting"/>).</summary>
internal sealed record StartFollowUp(Flash Flash, string? RedirectTo, bool KeepWaiting);

/// <summary>
/// Starts an instance from the inbox's welcome page through <see cref="CoordinatorService.StartAsync"/>
/// (the API's validation and idempotent start), then waits briefly for the instance's first turn so
/// the browser can be sent to the inbox of whoever owns the first step.
/// </summary>
internal static class InboxStarts
{
    /// <summary>The longest context value the form accepts (the API's limit, <see cref="TextRules.MaxContextValueLength"/>).</summary>
    public const int MaxValueLength = TextRules.MaxContextValueLength;

    /// <summary>
    /// The context fields a start form asks for: first those the workflow needs (<see cref="CoordinationEngine.MissingContext"/>
    /// of an empty context), then those its conditions read (optional). The business key field is asked for separately.
    /// </summary>
    public static IReadOnlyList<StartField> FieldsOf(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var fields = new List<StartField>();
        foreach (var name in CoordinationEngine.MissingContext(definition, new Dictionary<string, string>()))
        {
            if (name == definition.BusinessKey)
                continue;
            var roles = definition.Roles.Where(r => r.FromContext == name).Select(r => r.Id).ToArray();
            fields.Add(new StartField(name, Required: true, roles, []));
        }
        foreach (var group in definition.Steps.Where(s => s.When?.Field is not null).GroupBy(s => s.When!.Field!, StringComparer.Ordinal))
        {
            if (group.Key == definition.BusinessKey || fields.Any(f => f.Name == group.Key))
                continue;
            var uses = group.GroupBy(s => string.Join(", ", s.When!.In ?? []), StringComparer.Ordinal)
                .Select(g => new ConditionUse(g.Select(s => s.Id).ToArray(), g.First().When!.In ?? []))
                .ToArray();
            fields.Add(new StartField(group.Key, Required: false, [], uses));
        }
        return fields;
    }

    /// <summary>The form field of the "More details" box: other start context, one <c>name: value</c> per line.</summary>
    public const string MoreDetailsField = "moreDetails";

    /// <summary>The longest "More details" text the form accepts: as much as a whole start context may hold (<see cref="TextRules.MaxContextBytes"/>).</summary>
    public const int MaxMoreDetailsLength = TextRules.MaxContextBytes;

    /// <summary>The longest field name of "More details" (an id, <see cref="TextRules.MaxIdLength"/>).</summary>
    private const int MaxFieldNameLength = TextRules.MaxIdLength;

    /// <summary>How much of a "More details" line a message quotes.</summary>
    private const int QuotedLineLength = 60;

    /// <param name="context">The form's own fields (empty ones left out).</param>
    /// <param name="moreDetails">The "More details" box: other context fields, one <c>name: value</c> per line.</param>
    public static async Task<InboxStartOutcome> StartAsync(
        WorkflowDefinition definition, string businessKey, IReadOnlyDictionary<string, string> context, string moreDetails,
        CoordinatorService coordinator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(coordinator);
        var client = coordinator.Client;
        ArgumentNullException.ThrowIfNull(moreDetails);
        var keyLabel = definition.BusinessKey ?? "Business key";
        // The API's text rules (TextRules), checked here first so the messages name the form's fields;
        // CoordinatorService.StartAsync checks them again (field names, the key taken from the context).
        if (TextRules.Validate(keyLabel, businessKey, TextKind.Id) is { } badKey)
            return Refused("Not started: " + badKey + " Fix it and press Start again.");
        foreach (var (name, value) in context)
        {
            if (TextRules.Validate(name, value, TextKind.ContextValue) is { } badField)
                return Refused("Not started: " + badField + " Fix it and press Start again.");
        }
        var (merged, badDetails) = WithMoreDetails(context, moreDetails, keyLabel, definition.BusinessKey);
        if (badDetails is not null)
            return Refused("Not started: " + badDetails + " Fix it and press Start again.");
        context = merged;
        if (TextRules.ContextBytes(context) is var bytes and > TextRules.MaxContextBytes)
        {
            return Refused(string.Create(CultureInfo.InvariantCulture,
                $"Not started: the form's fields and More details come to {bytes:N0} bytes; a start context may hold at most {TextRules.MaxContextBytes:N0} (32 KiB). Keep long texts out of it: add them as progress notes once the instance runs."));
        }

        var outcome = await coordinator.StartAsync(
            definition.Id, businessKey.Length == 0 ? null : businessKey, context, cancellationToken).ConfigureAwait(false);
        if (!outcome.Accepted)
        {
            var problem = outcome.Problem;
            return Refused(problem.Kind switch
            {
                StartProblemKind.MissingBusinessKey =>
                    $"Not started: {keyLabel} is empty. Fill it in: it names the instance, and starting the same value twice finds the same instance.",
                StartProblemKind.InvalidText => "Not started: " + problem.Message + " Fix it and press Start again.",
                StartProblemKind.MissingContext =>
                    $"Not started: {definition.Title} needs {string.Join(", ", problem.MissingContext.Select(f => Describe(definition, f)))}. Fill it in and press Start again.",
                _ => "Not started: " + problem.Message,
            });
        }

        var named = outcome.BusinessKey is { Length: > 0 } key ? " " + key : "";
        if (outcome.AlreadyExisted)
        {
            var existing = await client.GetInstanceAsync(outcome.InstanceId, cancellationToken).ConfigureAwait(false);
            var state = existing is null ? "exists" : "is " + CoordinatorService.StatusName(existing.RuntimeStatus);
            return new InboxStartOutcome(
                new Flash(false, $"{definition.Title}{named} already exists and {state}: instance {outcome.InstanceId}. Nothing new was started; use another {keyLabel} for a new instance."),
                "/");
        }

        var status = await WaitForFirstTurnAsync(coordinator, outcome.InstanceId, cancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            return new InboxStartOutcome(
                new Flash(true, StartedMessage(definition.Title, outcome.BusinessKey, outcome.InstanceId)
                    + " Its first turn is still running: this page opens the inbox of its first step's owner as soon as that step is assigned."),
                FollowUrl(outcome.InstanceId));
        }
        return FirstTurnOutcome(definition.Title, outcome.BusinessKey, outcome.InstanceId, status, definition);
    }

    /// <summary>How long a start from the inbox waits for the instance's first turn before showing the follow page.</summary>
    private static readonly TimeSpan FirstTurnPatience = TimeSpan.FromSeconds(5);

    /// <summary>The query parameter of the page that follows a just-started instance: <c>/?started=b2b-onboarding.DEAL-1</c>.</summary>
    public const string FollowParameter = "started";

    /// <summary>How often the follow page reloads itself while the instance's first turn runs.</summary>
    public const int FollowReloadSeconds = 2;

    public static string FollowUrl(string instanceId) => $"/?{FollowParameter}={Uri.EscapeDataString(instanceId)}";

    /// <summary>
    /// The follow page of an instance started from the inbox whose first turn outlasted the start's wait:
    /// once the first turn has run, where to send the browser; until then, a message and <see cref="StartFollowUp.KeepWaiting"/>.
    /// </summary>
    public static async Task<StartFollowUp> FollowAsync(WorkflowRegistry registry, DurableTaskClient client, string instanceId, CancellationToken cancellationToken)
    {
        var metadata = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (metadata is null)
            return new StartFollowUp(new Flash(false, $"There is no instance {instanceId}. Start one with a form below."), null, KeepWaiting: false);
        if (metadata.ReadCustomStatusAs<CoordinatorStatus>() is { } status && status.WorkShows(status.Instance.Sequence))
        {
            var state = status.Instance;
            var definition = registry.Find(state.DefinitionId, state.DefinitionVersion, state.DefinitionHash);
            var context = status.ContextOmitted ? CoordinatorService.StartContextOf(metadata) : state.Context;
            var businessKey = definition?.BusinessKey is { } field ? context.GetValueOrDefault(field) : null;
            var outcome = FirstTurnOutcome(definition?.Title ?? state.DefinitionId, businessKey, instanceId, status, definition);
            return new StartFollowUp(outcome.Flash, outcome.RedirectTo, KeepWaiting: false);
        }
        if (metadata.RuntimeStatus is OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated or OrchestrationRuntimeStatus.Completed)
        {
            var why = metadata.FailureDetails?.ErrorMessage is { Length: > 0 } error ? $" ({error})" : "";
            return new StartFollowUp(
                new Flash(false, $"Instance {instanceId} ended ({CoordinatorService.StatusName(metadata.RuntimeStatus)}) before finishing its first turn{why}. GET /api/instances/{instanceId} shows what is known."),
                null, KeepWaiting: false);
        }
        return new StartFollowUp(
            new Flash(true, $"Instance {instanceId} is starting: its first turn is still running. This page reloads every {FollowReloadSeconds} seconds and opens the inbox of its first step's owner as soon as that step is assigned."),
            null, KeepWaiting: true);
    }

    private static string StartedMessage(string title, string? businessKey, string instanceId) =>
        $"Started {title}{(businessKey is { Length: > 0 } key ? " for " + key : "")} (instance {instanceId}).";

    /// <summary>After the first turn: the inbox of the first active step's owner, with a message naming the active steps.</summary>
    private static InboxStartOutcome FirstTurnOutcome(string title, string? businessKey, string instanceId, CoordinatorStatus status, WorkflowDefinition? definition)
    {
        var started = StartedMessage(title, businessKey, instanceId);
        var active = status.Instance.Steps.Where(s => s.Status == StepStatus.Active && s.Owners.Count > 0).ToArray();
        if (active.Length == 0)
            return new InboxStartOutcome(new Flash(true, started + " No step waits for anyone."), "/");
        string TitleOf(StepState s) => definition?.FindStep(s.StepId)?.Title ?? s.StepId;
        var message = active.Length == 1
            ? $"{started} Its first step, “{TitleOf(active[0])}”, is with {string.Join(" and ", active[0].Owners)}."
            : $"{started} Its first steps: {string.Join("; ", active.Select(s => $"“{TitleOf(s)}” with {string.Join(" and ", s.Owners)}"))}.";
        return new InboxStartOutcome(new Flash(true, message), InboxEndpoints.PersonPath(active[0].Owners[0]));
    }

    /// <summary>
    /// The form's fields plus those of the "More details" box (<c>name: value</c> lines, blank lines
    /// ignored), or what is wrong with the box: a line without a colon, a bad name, an empty value, a
    /// value the text rules refuse (<see cref="TextRules"/>: too long, control characters), a field given twice.
    /// </summary>
    public static (IReadOnlyDictionary<string, string> Context, string? Problem) WithMoreDetails(
        IReadOnlyDictionary<string, string> context, string moreDetails, string keyLabel, string? keyField)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(moreDetails);
        if (moreDetails.Length > MaxMoreDetailsLength)
            return (context, $"More details is longer than {MaxMoreDetailsLength} characters; record long texts as a progress note instead.");
        var merged = new Dictionary<string, string>(context, StringComparer.Ordinal);
        var lines = moreDetails.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
                continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var quoted = line.Length > QuotedLineLength ? line[..QuotedLineLength] + "…" : line;
            var where = $"line {i + 1} of More details (“{quoted}”)";
            if (colon <= 0)
                return (context, $"{where} is not a name: value pair, such as system: payments-core.");
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Length > MaxFieldNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
                return (context, $"{where} names the field “{name}”; a field name is at most {MaxFieldNameLength} letters, digits, _, - or . without spaces.");
            if (value.Length == 0)
                return (context, $"{where} gives {name} no value.");
            if (TextRules.Validate(name, value, TextKind.ContextValue) is { } badValue)
                return (context, $"{where}: {badValue}");
            if (name == keyField)
                return (context, $"{where} gives {name}, which is the {keyLabel} field above; fill it in there.");
            if (!merged.TryAdd(name, value))
                return (context, $"{where} gives {name} a second time; keep one value.");
        }
        return (merged, null);
    }

    private static InboxStartOutcome Refused(string message) => new(new Flash(false, message), "/");

    private static string Describe(WorkflowDefinition definition, string field)
    {
        var roles = definition.Roles.Where(r => r.FromContext == field).Select(r => r.Id).ToArray();
        return roles.Length == 0 ? field : $"{field} (the person id of role {string.Join(", ", roles)})";
    }

    /// <summary>The instance's status once its first turn shows in people's work lists, or null when that takes more than a few seconds.</summary>
    private static Task<CoordinatorStatus?> WaitForFirstTurnAsync(CoordinatorService coordinator, string instanceId, CancellationToken cancellationToken) =>
        coordinator.WatchAsync(
            instanceId,
            static metadata => metadata?.ReadCustomStatusAs<CoordinatorStatus>() is { } status && status.WorkShows(status.Instance.Sequence) ? status : null,
            FirstTurnPatience,
            cancellationToken);
}

/// <summary>A context field of a start form.</summary>
/// <param name="Required">True when the workflow cannot start without it (a role's <c>from_context</c>).</param>
/// <param name="Roles">The roles whose person the field names.</param>
/// <param name="Conditions">The steps whose <c>when</c> reads the field, with the values they run for.</param>
internal sealed record StartField(string Name, bool Required, IReadOnlyList<string> Roles, IReadOnlyList<ConditionUse> Conditions);

/// <summary>Steps that run only when a context field has one of <see cref="Values"/>.</summary>
internal sealed record ConditionUse(IReadOnlyList<string> Steps, IReadOnlyList<string> Values);
