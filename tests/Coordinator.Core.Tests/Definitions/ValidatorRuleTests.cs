using Coordinator.Core.Definitions;

namespace Coordinator.Core.Tests.Definitions;

/// <summary>
/// One broken fixture per diagnostic rule (Fixtures/WFxxxx-*.yaml|json): loading it reports that code,
/// at the line and column of the offending node, and nothing else.
/// </summary>
public sealed class ValidatorRuleTests
{
    [Theory]
    [InlineData("WF0001-json-syntax.json", "WF0001", 7, 3)]
    [InlineData("WF0001-yaml-indentation.yaml", "WF0001", 13, 4)]
    [InlineData("WF0001-yaml-syntax.yaml", "WF0001", 16, 12)]
    [InlineData("WF0003-empty.yaml", "WF0003", 2, 1)]
    [InlineData("WF0003-two-documents.yaml", "WF0003", 18, 1)]
    [InlineData("WF0004-unknown-alias.yaml", "WF0004", 15, 12)]
    [InlineData("WF0101-unknown-key.yaml", "WF0101", 14, 5)]
    [InlineData("WF0102-duplicate-key.yaml", "WF0102", 14, 5)]
    [InlineData("WF0102-json-duplicate-key.json", "WF0102", 8, 67)]
    [InlineData("WF0103-missing-owner.yaml", "WF0103", 14, 5)]
    [InlineData("WF0104-steps-not-a-list.yaml", "WF0104", 11, 3)]
    [InlineData("WF0105-invalid-step-id.yaml", "WF0105", 14, 9)]
    [InlineData("WF0106-invalid-duration.yaml", "WF0106", 13, 10)]
    [InlineData("WF0107-schema.yaml", "WF0107", 2, 9)]
    [InlineData("WF0108-version-zero.yaml", "WF0108", 4, 10)]
    [InlineData("WF0109-role-names-nobody.yaml", "WF0109", 10, 9)]
    [InlineData("WF0110-when-mixes-forms.yaml", "WF0110", 17, 11)]
    [InlineData("WF0201-duplicate-step-id.yaml", "WF0201", 18, 9)]
    [InlineData("WF0202-unknown-owner.yaml", "WF0202", 15, 12)]
    [InlineData("WF0203-unknown-decision-by.yaml", "WF0203", 19, 20)]
    [InlineData("WF0204-unknown-notify-target.yaml", "WF0204", 14, 37)]
    [InlineData("WF0205-unknown-summary-recipient.yaml", "WF0205", 18, 32)]
    [InlineData("WF0206-unknown-lead.yaml", "WF0206", 9, 39)]
    [InlineData("WF0207-unknown-process-owner.yaml", "WF0207", 6, 16)]
    [InlineData("WF0208-unknown-predecessor.yaml", "WF0208", 16, 20)]
    [InlineData("WF0209-cycle.yaml", "WF0209", 13, 13)]
    [InlineData("WF0210-when-not-a-decision.yaml", "WF0210", 21, 23)]
    [InlineData("WF0211-when-unknown-option.yaml", "WF0211", 28, 35)]
    [InlineData("WF0212-decision-not-upstream.yaml", "WF0212", 28, 23)]
    [InlineData("WF0213-empty-in.yaml", "WF0213", 17, 33)]
    [InlineData("WF0214-decision-without-options.yaml", "WF0214", 19, 11)]
    [InlineData("WF0215-duplicate-option.yaml", "WF0215", 24, 15)]
    [InlineData("WF0216-alternatives-without-decider.yaml", "WF0216", 21, 9)]
    [InlineData("WF0217-options-on-task.yaml", "WF0217", 19, 7)]
    [InlineData("WF0219-start-field-unused.yaml", "WF0219", 23, 7)]
    [InlineData("WF0220-start-key-not-object-id.yaml", "WF0220", 21, 7)]
    [InlineData("WF0221-start-missing-context.yaml", "WF0221", 21, 7)]
    [InlineData("WF0222-crm-object-conflict.yaml", "WF0222", 24, 11)]
    [InlineData("WF0302-reminder-before-activation.yaml", "WF0302", 14, 31)]
    [InlineData("WF0303-lead-without-lead.yaml", "WF0303", 15, 12)]
    [InlineData("WF0304-levels-out-of-order.yaml", "WF0304", 22, 20)]
    [InlineData("WF0305-reminders-without-due.yaml", "WF0305", 17, 30)]
    public void LoadFile_BrokenFixture_ReportsOnlyItsRuleAtTheOffendingNode(string fixture, string code, int line, int column)
    {
        var result = WorkflowLoader.LoadFile(RepoPaths.Fixture(fixture));

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(code, diagnostic.Code);
        Assert.Equal((line, column), (diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.EndsWith(fixture, diagnostic.Location.File, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_EveryRuleFixture_IsCoveredByTheTheory()
    {
        var covered = typeof(ValidatorRuleTests).GetMethod(nameof(LoadFile_BrokenFixture_ReportsOnlyItsRuleAtTheOffendingNode))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(a => (string)a.GetData(null!).Single()[0]).ToHashSet(StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(RepoPaths.Fixtures, "WF*").Select(f => Path.GetFileName(f)).ToList();

        Assert.All(files, f => Assert.Contains(f, covered));
    }

    [Fact]
    public void LoadFile_RuleFixtures_CoverEveryCodeOfASingleFile()
    {
        var catalogOnly = new[] { DiagnosticCodes.FileUnreadable, DiagnosticCodes.ConflictingVersion, DiagnosticCodes.DuplicateDefinition };
        // The people directory's codes (WF04xx) have their own fixtures (PeopleDirectoryTests), the message templates' (WF05xx) theirs (TemplateLoaderTests).
        var allCodes = typeof(DiagnosticCodes).GetFields().Select(f => (string)f.GetRawConstantValue()!).Except(catalogOnly)
            .Where(c => !c.StartsWith("WF04", StringComparison.Ordinal) && !c.StartsWith("WF05", StringComparison.Ordinal));
        var fixtureCodes = Directory.EnumerateFiles(RepoPaths.Fixtures, "WF*").Select(f => Path.GetFileName(f)[..6]).ToHashSet(StringComparer.Ordinal);

        Assert.All(allCodes, code => Assert.Contains(code, fixtureCodes));
    }
}
