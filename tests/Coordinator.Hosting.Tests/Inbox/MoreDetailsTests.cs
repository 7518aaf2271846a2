using Coordinator.Hosting.Inbox;

namespace Coordinator.Hosting.Tests.Inbox;

/// <summary>The start form's "More details" box: other start context, one <c>name: value</c> per line.</summary>
public sealed class MoreDetailsTests
{
    private static readonly Dictionary<string, string> FormFields = new(StringComparer.Ordinal) { ["requested_by"] = "ops.engineer" };

    [Fact]
    public void WithMoreDetails_NameValueLinesWithBlankLinesAndSpaces_AddsThemToTheFormsFields()
    {
        var (context, problem) = InboxStarts.WithMoreDetails(
            FormFields, "system: payments-core\r\n\r\n  risk_class :  high \nnote: window 22:00-23:00\n", "change_id", "change_id");

        Assert.Null(problem);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["requested_by"] = "ops.engineer", ["system"] = "payments-core", ["risk_class"] = "high", ["note"] = "window 22:00-23:00",
            },
            context);
    }

    [Theory]
    [InlineData("system payments-core", "line 1 of More details (“system payments-core”) is not a name: value pair")]
    [InlineData("system: a\n: b", "line 2 of More details (“: b”) is not a name: value pair")]
    [InlineData("risk class: high", "line 1 of More details (“risk class: high”) names the field “risk class”; a field name is at most 200 letters")]
    [InlineData("system:", "line 1 of More details (“system:”) gives system no value.")]
    [InlineData("system: a\nsystem: b", "line 2 of More details (“system: b”) gives system a second time; keep one value.")]
    [InlineData("requested_by: sec.analyst", "line 1 of More details (“requested_by: sec.analyst”) gives requested_by a second time")]
    [InlineData("change_id: CHG-2", "line 1 of More details (“change_id: CHG-2”) gives change_id, which is the change_id field above; fill it in there.")]
    public void WithMoreDetails_BadLine_NamesTheLineAndWhatIsWrongAndAddsNothing(string moreDetails, string expected)
    {
        var (context, problem) = InboxStarts.WithMoreDetails(FormFields, moreDetails, "change_id", "change_id");

        Assert.NotNull(problem);
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
        Assert.Same(FormFields, context);
    }

    [Fact]
    public void WithMoreDetails_LongerThanTheLimit_IsRefused()
    {
        var (_, problem) = InboxStarts.WithMoreDetails(FormFields, "system: " + new string('x', InboxStarts.MaxMoreDetailsLength), "change_id", "change_id");

        Assert.Equal($"More details is longer than {InboxStarts.MaxMoreDetailsLength} characters; record long texts as a progress note instead.", problem);
    }
}
