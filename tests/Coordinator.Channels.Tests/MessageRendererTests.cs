using Coordinator.Channels.Rendering;
using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Coordinator.Core.Simulation;

namespace Coordinator.Channels.Tests;

public sealed class MessageRendererTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly IPersonDirectory People = Samples.People();
    private static readonly MessageRenderer Renderer = new(TemplateSet.BuiltIn, People);

    private static Person Someone(string language, string zone = "Europe/Rome") =>
        new() { Id = "p", Name = "P", Language = language, TimeZone = zone };

    private static Notification Notify(CoordinationAction action, string stepTitle = "IT set-up") => new()
    {
        IdempotencyKey = "i-1:" + action.Key,
        InstanceId = "i-1",
        WorkflowId = "b2b-onboarding",
        WorkflowTitle = "B2B customer onboarding",
        BusinessKey = "ACME-42",
        StepTitle = action.StepId is null ? null : stepTitle,
        Recipients = action.To,
        Action = action,
    };

    private static CoordinationAction Action(CoordinationActionType type, DateTimeOffset at, DateTimeOffset? due = null) => new()
    {
        Type = type,
        At = at,
        Sequence = 7,
        Key = "000007:" + type.WireName() + ":it-setup",
        StepId = "it-setup",
        To = ["it.engineer"],
        Due = due,
    };

    [Fact]
    public void BuiltIn_EveryKindHasATemplateInEveryLanguage()
    {
        foreach (var kind in MessageKinds.All)
        {
            foreach (var language in PersonLanguages.All)
                Assert.True(BuiltInTemplates.Texts.ContainsKey((kind, language)), $"{kind.FileName()}.{language}");
        }
    }

    [Fact]
    public void Render_EveryNotifiedActionOfTheStalledOnboarding_KeepsTheFactsForEveryRecipient()
    {
        var definition = Samples.Definition("b2b-onboarding");
        var scenario = ScenarioLoader.LoadFile(Path.Combine(Samples.Definitions, "scenarios", "b2b-onboarding.stalled.yaml"), definition);
        Assert.True(scenario.Succeeded, string.Join(Environment.NewLine, scenario.Diagnostics));
        var run = Simulator.Run(definition, scenario.Scenario!, Start);
        var titles = definition.Steps.ToDictionary(s => s.Id, s => s.Title, StringComparer.Ordinal);
        var rendered = 0;
        foreach (var action in run.Actions.Where(a => a.To.Count > 0))
        {
            var notification = Notify(action, action.StepId is { } id ? titles[id] : "") with { WorkflowTitle = definition.Title };
            foreach (var person in action.To.Select(People.Find).OfType<Person>())
            {
                var message = Renderer.Render(notification, person);
                Assert.NotNull(message);
                rendered++;
                var what = $"{action.Key} for {person.Id} ({person.Language})";
                Assert.Contains("ACME-42", message.Text, StringComparison.Ordinal);
                Assert.DoesNotContain("{", message.Text, StringComparison.Ordinal);
                Assert.Equal(person.Language, message.Language);
                if (action.StepId is { } step)
                    Assert.True(message.Text.Contains(titles[step], StringComparison.Ordinal), what + ": the step's title is missing\n" + message.Text);
                if (action.Due is { } due && MessageKinds.Of(action) is MessageKind.StepAssigned or MessageKind.Reminder or MessageKind.Overdue)
                {
                    var zone = TimeZones.TryFind(person.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
                    Assert.True(message.Text.Contains(Vocabulary.For(person.Language).Moment(due, zone), StringComparison.Ordinal), what + ": the due time is missing\n" + message.Text);
                }
                if (action.Type == CoordinationActionType.Escalation)
                    Assert.Contains(action.Level!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), message.Headline, StringComparison.Ordinal);
            }
        }
        Assert.True(rendered > 10, $"only {rendered} messages rendered");
        Assert.Contains(run.Actions, a => a.Type == CoordinationActionType.Escalation && a.SilentFor is not null);
    }

    [Fact]
    public void Render_ReminderInItalian_SaysTheTimeLeftAndTheDueTimeInTheirZoneAfterTheClocksChange()
    {
        // Due Monday 30 March 2026 at 15:00 UTC = 17:00 in Rome (summer time since Sunday); reminded on Friday 27 at 15:00 UTC.
        var action = Action(CoordinationActionType.Reminder, new DateTimeOffset(2026, 3, 27, 15, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 30, 15, 0, 0, TimeSpan.Zero));

        var message = Renderer.Render(Notify(action), Someone("it"))!;

        Assert.Equal(MessageKind.Reminder, message.Kind);
        Assert.Equal("Promemoria: IT set-up scade tra 3 giorni", message.Headline);
        Assert.Contains("Scadenza lun 30 mar 2026, 17:00.", message.Text, StringComparison.Ordinal);
        Assert.Equal([ReplyIntent.Done, ReplyIntent.Block, ReplyIntent.Note], message.Actions.Select(a => a.Intent));
        Assert.Equal(["Fatto", "Bloccato", "Aggiungi una nota"], message.Actions.Select(a => a.Label));
    }

    [Fact]
    public void Render_ReminderAfterTheDeadline_IsAnOverdueNotice()
    {
        var action = Action(CoordinationActionType.Reminder, new DateTimeOffset(2026, 6, 11, 15, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 6, 10, 12, 30, 0, TimeSpan.Zero));

        var message = Renderer.Render(Notify(action), Someone("en", "UTC"))!;

        Assert.Equal(MessageKind.Overdue, message.Kind);
        Assert.Equal("IT set-up is overdue by 1 day 2 hours", message.Headline);
        Assert.Contains("It was due Wed 10 Jun 2026, 12:30 UTC.", message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_DecisionRequest_OffersOneNumberedActionPerAlternative()
    {
        var action = Action(CoordinationActionType.DecisionRequested, Start) with
        {
            By = "it.engineer",
            Reason = "customer undecided between Okta and Entra",
            Options = [new DecisionOption { Id = "extend", Title = "Extend the due date by a week" }, new DecisionOption { Id = "default-sso", Title = "Go live with the default SSO" }],
        };

        var message = Renderer.Render(Notify(action), Someone("en"))!;

        Assert.Equal(MessageKind.DecisionRequested, message.Kind);
        Assert.Equal([(1, "extend"), (2, "default-sso")], message.Actions.Select(a => (a.Number, a.Option!)));
        Assert.All(message.Actions, a => Assert.Equal(ReplyIntent.Choose, a.Intent));
        Assert.Contains("Marco Ferri reports: customer undecided between Okta and Entra", message.Text, StringComparison.Ordinal);
        Assert.Contains("1. Extend the due date by a week\n2. Go live with the default SSO", message.Text, StringComparison.Ordinal);
        Assert.EndsWith("2. Go live with the default SSO\nReply with the number of your choice.",
            message.TextWithNumberedChoices(MessageRenderer.ReplyHint(Someone("en"))), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_DecisionRequestWithAnAlternativeThatMovesTheDueDate_SaysEachAlternativesConsequence()
    {
        var action = Action(CoordinationActionType.DecisionRequested, Start) with
        {
            By = "it.engineer",
            Reason = "customer undecided between Okta and Entra",
            Due = Start.AddDays(2),
            Options =
            [
                new DecisionOption { Id = "temporary-accounts", Title = "Start with local accounts, move to SSO later" },
                new DecisionOption { Id = "wait-for-customer", Title = "Wait for the customer's IdP decision", ExtendDue = TimeSpan.FromDays(7) },
            ],
        };

        var english = Renderer.Render(Notify(action), Someone("en"))!;
        var italian = Renderer.Render(Notify(action), Someone("it"))!;
        var undated = Renderer.Render(Notify(action with { Due = null }), Someone("en"))!;

        Assert.Contains(
            "1. Start with local accounts, move to SSO later (due date unchanged)\n"
            + $"2. Wait for the customer's IdP decision (due date 1 week later, {Vocabulary.English.Moment(Start.AddDays(9), TimeZones.TryFind("Europe/Rome", out var rome) ? rome : TimeZoneInfo.Utc)})",
            english.Text, StringComparison.Ordinal);
        Assert.Contains("2. Wait for the customer's IdP decision (scadenza spostata di 1 settimana, al ", italian.Text, StringComparison.Ordinal);
        Assert.Contains("1. Start with local accounts, move to SSO later (scadenza invariata)", italian.Text, StringComparison.Ordinal);
        Assert.Contains("2. Wait for the customer's IdP decision (due date 1 week later)", undated.Text, StringComparison.Ordinal);
        // The buttons keep the alternatives' titles alone.
        Assert.Equal(["Start with local accounts, move to SSO later", "Wait for the customer's IdP decision"], english.Actions.Select(a => a.Label));
    }

    [Fact]
    public void Render_StepWithoutDeadline_LeavesTheDueLineOut()
    {
        var message = Renderer.Render(Notify(Action(CoordinationActionType.StepActivated, Start)), Someone("en"))!;

        Assert.DoesNotContain("Due", message.Text, StringComparison.Ordinal);
        Assert.Equal("*New task: IT set-up*\nB2B customer onboarding · ACME-42", message.Text);
    }

    [Fact]
    public void Render_ProgressNote_IsNothingToTell()
    {
        Assert.Null(Renderer.Render(Notify(Action(CoordinationActionType.StepProgress, Start)), Someone("en")));
    }

    [Fact]
    public void Render_WorkflowTemplate_OverridesTheBuiltInOneForThatWorkflowOnly()
    {
        var own = MessageTemplate.Parse("*{step}: scade il {due}*\nGrazie!", out _)!;
        var set = new TemplateSet(new Dictionary<(string, MessageKind, string), MessageTemplate> { [("b2b-onboarding", MessageKind.Reminder, "it")] = own });
        var action = Action(CoordinationActionType.Reminder, Start, Start.AddDays(2));

        var mine = new MessageRenderer(set, People).Render(Notify(action), Someone("it"))!;
        var other = new MessageRenderer(set, People).Render(Notify(action) with { WorkflowId = "it-change-management" }, Someone("it"))!;

        Assert.Equal("*IT set-up: scade il mer 25 mar 2026, 10:00*\nGrazie!", mine.Text);
        Assert.StartsWith("*Promemoria:", other.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*Hello {stepp}*", 1, 8, "'{stepp}' is not a placeholder")]
    [InlineData("*Hello*\nDue {due", 2, 5, "not closed")]
    [InlineData("*Hello*\n\nit costs 5}", 3, 11, "without its '{'")]
    [InlineData("", 1, 1, "headline")]
    [InlineData("\nsecond line", 1, 1, "headline")]
    public void Parse_BadTemplate_ReportsLineAndColumn(string text, int line, int column, string message)
    {
        Assert.Null(MessageTemplate.Parse(text, out var errors));

        var error = Assert.Single(errors);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_DoubledBraces_AreLiteral()
    {
        var template = MessageTemplate.Parse("*{{step}} is {step}*", out var errors);

        Assert.Empty(errors);
        Assert.Equal("*{step} is Legal review*", template!.Render(new Dictionary<string, string> { ["step"] = "Legal review" }));
    }

    [Theory]
    [InlineData(0.2, "1 minute", "1 minuto")]
    [InlineData(90, "1 hour 30 minutes", "1 ora 30 minuti")]
    [InlineData(60 * 24 * 2 + 5, "2 days", "2 giorni")]
    [InlineData(60 * 24 * 15, "2 weeks 1 day", "2 settimane 1 giorno")]
    public void Duration_TwoLargestUnits_InBothLanguages(double minutes, string english, string italian)
    {
        Assert.Equal(english, Vocabulary.English.Duration(TimeSpan.FromMinutes(minutes)));
        Assert.Equal(italian, Vocabulary.Italian.Duration(TimeSpan.FromMinutes(minutes)));
    }
}
