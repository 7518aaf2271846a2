using Coordinator.Core.Definitions;

namespace Coordinator.Core.Tests.Definitions;

public sealed class WorkflowLoaderTests
{
    private const string Minimal = """
        schema: coordinator/v1
        id: minimal
        version: 2
        title: Minimal
        process_owner: po
        business_key: order_id
        roles:
          po: { people: [p.owner] }
          it: { people: [it.one, it.two], lead: po }
          sales: { from_context: deal_owner }
        steps:
          - id: first
            owner: it
            due: 1d12h
          - id: second
            title: Second step
            owner: sales
            after: first
            due: P2D
        summary: { to: process_owner, every: 1w }
        """;

    [Fact]
    public void LoadText_MinimalDefinition_ReadsEveryField()
    {
        var result = WorkflowLoader.LoadText(Minimal, "minimal.yaml");

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var d = result.Definition!;
        Assert.Equal(("minimal", 2, "Minimal", "po", "order_id"), (d.Id, d.Version, d.Title, d.ProcessOwner, d.BusinessKey));
        Assert.Equal(["po", "it", "sales"], d.Roles.Select(r => r.Id));
        Assert.Equal(["it.one", "it.two"], d.FindRole("it")!.People);
        Assert.Equal("po", d.FindRole("it")!.Lead);
        Assert.Equal("deal_owner", d.FindRole("sales")!.FromContext);
        Assert.Equal("first", d.Steps[0].Title);
        Assert.Equal(TimeSpan.FromHours(36), d.Steps[0].Due);
        Assert.Equal(["first"], d.Steps[1].After);
        Assert.Equal(TimeSpan.FromDays(2), d.Steps[1].Due);
        Assert.Equal(["process_owner"], d.Summary!.To);
        Assert.Equal(TimeSpan.FromDays(7), d.Summary.Every);
    }

    [Fact]
    public void LoadText_ValidDefinition_RecordsSourceLocationsByPath()
    {
        var d = WorkflowLoader.LoadText(Minimal, "minimal.yaml").Definition!;

        Assert.Equal(new SourceLocation("minimal.yaml", 17, 12), d.Source!.Find("steps[1].owner"));
        Assert.Equal(new SourceLocation("minimal.yaml", 9, 41), d.Source.Find("roles.it.lead"));
        Assert.Equal(new SourceLocation("minimal.yaml", 18, 12), d.Source.Find("steps[1].after[0]"));
    }

    [Fact]
    public void LoadText_ValidDefinition_FillsContentHashWithSha256Hex()
    {
        var d = WorkflowLoader.LoadText(Minimal, "minimal.yaml").Definition!;

        Assert.Matches("^[0-9a-f]{64}$", d.ContentHash);
    }

    [Fact]
    public void LoadText_SameContentDifferentSpelling_SameContentHash()
    {
        var respelled = Minimal
            .Replace("due: 1d12h", "due: PT36H", StringComparison.Ordinal)
            .Replace("after: first", "after: [ first ]  # the join", StringComparison.Ordinal)
            .Replace("summary: { to: process_owner, every: 1w }", "summary:\n  to: [process_owner]\n  every: 7d", StringComparison.Ordinal);

        var a = WorkflowLoader.LoadText(Minimal, "a.yaml").Definition!;
        var b = WorkflowLoader.LoadText(respelled, "b.yaml").Definition!;

        Assert.Equal(a.ContentHash, b.ContentHash);
    }

    [Fact]
    public void LoadText_DifferentContent_DifferentContentHash()
    {
        var a = WorkflowLoader.LoadText(Minimal, "a.yaml").Definition!;
        var b = WorkflowLoader.LoadText(Minimal.Replace("due: P2D", "due: P3D", StringComparison.Ordinal), "b.yaml").Definition!;

        Assert.NotEqual(a.ContentHash, b.ContentHash);
    }

    [Fact]
    public void LoadText_RemindersAndEscalationNone_TurnTheDefaultsOff()
    {
        var text = Minimal.Replace("steps:", """
            defaults:
              reminders: { before_due: [4h], overdue_every: 1d }
              escalation: { silence: 2d, levels: [{ after: 0h, notify: [lead] }] }
            steps:
            """, StringComparison.Ordinal).Replace("    due: P2D", "    due: P2D\n    reminders: none\n    escalation: none", StringComparison.Ordinal);

        var d = WorkflowLoader.LoadText(text, "none.yaml").Definition!;

        Assert.Same(ReminderRule.None, d.Steps[1].Reminders);
        Assert.True(d.RemindersFor(d.Steps[1]).IsNone);
        Assert.Null(d.EscalationFor(d.Steps[1]));
        Assert.Equal([TimeSpan.FromHours(4)], d.RemindersFor(d.Steps[0]).BeforeDue);
        Assert.Equal(TimeSpan.FromDays(2), d.EscalationFor(d.Steps[0])!.Silence);
    }

    [Fact]
    public void LoadText_AnchorsAndAliases_AreResolved()
    {
        var text = Minimal.Replace("steps:", """
            defaults:
              escalation: &fast { silence: 1d, levels: [{ after: 0h, notify: [process_owner] }] }
            steps:
            """, StringComparison.Ordinal).Replace("    due: P2D", "    due: P2D\n    escalation: *fast", StringComparison.Ordinal);

        var d = WorkflowLoader.LoadText(text, "alias.yaml").Definition!;

        Assert.Equal(TimeSpan.FromDays(1), d.Steps[1].Escalation!.Silence);
    }

    [Fact]
    public void LoadText_DecisionAndRouting_ReadsOptionsAndCondition()
    {
        var text = Minimal.Replace("summary: { to: process_owner, every: 1w }", """
              - id: choose
                type: decision
                owner: po
                after: [second]
                options:
                  - { id: approve, title: Approve }
                  - { id: adjust, title: Adjust }
              - id: adjust
                owner: it
                after: [choose]
                when: { decision: choose, is: adjust }
              - id: enterprise-only
                owner: it
                when: { field: segment, in: [enterprise, 42] }
            """, StringComparison.Ordinal);

        var result = WorkflowLoader.LoadText(text, "decision.yaml");

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var d = result.Definition!;
        Assert.Equal(StepType.Decision, d.FindStep("choose")!.Type);
        Assert.Equal(["approve", "adjust"], d.FindStep("choose")!.Options.Select(o => o.Id));
        Assert.Equal(("choose", "adjust"), (d.FindStep("adjust")!.When!.Decision, d.FindStep("adjust")!.When!.Is));
        Assert.Equal(["enterprise", "42"], d.FindStep("enterprise-only")!.When!.In);
    }

    [Fact]
    public void LoadText_ManyProblems_ReportsAllOfThemInOnePass()
    {
        var text = """
            schema: coordinator/v1
            id: Many_Problems
            version: -3
            title: Many problems
            process_owner: nobody
            roles:
              po: { people: [p.owner] }
            steps:
              - id: a
                owner: ghost
                due: soon
                colour: red
              - id: b
                owner: po
                after: [a, missing]
            """;

        var result = WorkflowLoader.LoadText(text, "many.yaml");

        Assert.Null(result.Definition);
        Assert.False(result.Succeeded);
        Assert.Equal(
            [DiagnosticCodes.InvalidId, DiagnosticCodes.InvalidValue, DiagnosticCodes.UnknownProcessOwner, DiagnosticCodes.UnknownOwner,
             DiagnosticCodes.InvalidDuration, DiagnosticCodes.UnknownKey, DiagnosticCodes.UnknownPredecessor],
            result.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void LoadText_UnknownKey_SuggestsTheClosestKnownKey()
    {
        var result = WorkflowLoader.LoadText(Minimal.Replace("business_key:", "bussiness_key:", StringComparison.Ordinal), "typo.yaml");

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticCodes.UnknownKey, diagnostic.Code);
        Assert.Contains("Did you mean 'business_key'?", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_VersionInQuotes_ReportsWrongType()
    {
        var result = WorkflowLoader.LoadText(Minimal.Replace("version: 2", "version: \"2\"", StringComparison.Ordinal), "v.yaml");

        Assert.Equal(DiagnosticCodes.WrongType, Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void LoadText_ReservedRoleId_ReportsInvalidId()
    {
        var result = WorkflowLoader.LoadText(Minimal.Replace("  sales:", "  lead: { people: [x] }\n  sales:", StringComparison.Ordinal), "r.yaml");

        Assert.Equal(DiagnosticCodes.InvalidId, Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void LoadText_JsonDefinition_ReadsLikeYaml()
    {
        var json = """
            {
              "schema": "coordinator/v1", "id": "minimal", "version": 1, "title": "Minimal", "process_owner": "po",
              "roles": { "po": { "people": ["p.owner"] } },
              "steps": [ { "id": "first", "owner": "po", "due": "2d" } ]
            }
            """;

        var result = WorkflowLoader.LoadText(json, "minimal.json");

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(new SourceLocation("minimal.json", 4, 40), result.Definition!.Source!.Find("steps[0].owner"));
    }

    [Fact]
    public void LoadText_JsonWithUnknownKeyAfterMultibyteText_ColumnCountsCharacters()
    {
        var json = """{"schema":"coordinator/v1","id":"x","version":1,"title":"Übergabe ✓","process_owner":"po","roles":{"po":{"people":["p"]}},"steps":[{"id":"a","owner":"po"}],"colour":1}""";

        var diagnostic = Assert.Single(WorkflowLoader.LoadText(json, "x.json").Diagnostics);

        Assert.Equal(DiagnosticCodes.UnknownKey, diagnostic.Code);
        Assert.Equal(json.IndexOf("\"colour\"", StringComparison.Ordinal) + 1, diagnostic.Location.Column);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    [InlineData("just text")]
    [InlineData("- a\n- b")]
    [InlineData("{")]
    [InlineData("schema: [")]
    [InlineData("key: 'unterminated")]
    [InlineData("\t- tab")]
    [InlineData("a: *nowhere")]
    [InlineData("? [complex]\n: key")]
    public void LoadText_GarbageYaml_ReportsErrorsWithoutThrowing(string text)
    {
        var result = WorkflowLoader.LoadText(text, "garbage.yaml");

        Assert.False(result.Succeeded);
        Assert.Contains(result.Diagnostics, d => d.IsError && d.Location.Line >= 1);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"schema\": }")]
    [InlineData("{} {}")]
    [InlineData("{\"a\": \"\\ud800\"}")]
    [InlineData("{\"schema\": \"coordinator/v1\",}")]
    public void LoadText_GarbageJson_ReportsErrorsWithoutThrowing(string text)
    {
        var result = WorkflowLoader.LoadText(text, "garbage.json");

        Assert.False(result.Succeeded);
        Assert.Contains(result.Diagnostics, d => d.IsError);
    }

    [Fact]
    public void LoadFile_MissingFile_ReportsUnreadableFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.yaml");

        var diagnostic = Assert.Single(WorkflowLoader.LoadFile(path).Diagnostics);

        Assert.Equal(DiagnosticCodes.FileUnreadable, diagnostic.Code);
        Assert.Equal($"{path}: error WF0002: cannot read the workflow definition: the file does not exist", diagnostic.ToString());
    }

    [Fact]
    public void Diagnostic_ToString_UsesMsBuildCanonicalFormat()
    {
        var error = new Diagnostic(DiagnosticSeverity.Error, "WF0102", "duplicate key 'due'.", new SourceLocation("a/b.yaml", 12, 5));
        var warning = error with { Severity = DiagnosticSeverity.Warning };

        Assert.Equal("a/b.yaml(12,5): error WF0102: duplicate key 'due'.", error.ToString());
        Assert.Equal("a/b.yaml(12,5): warning WF0102: duplicate key 'due'.", warning.ToString());
    }
}
