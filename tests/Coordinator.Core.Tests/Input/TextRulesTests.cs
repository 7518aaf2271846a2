using Coordinator.Core.Input;

namespace Coordinator.Core.Tests.Input;

/// <summary>The one text policy for what enters an instance (business keys, context, notes, reasons, person and option ids).</summary>
public sealed class TextRulesTests
{
    [Theory]
    [InlineData("DEAL-2041", TextKind.Id)]
    [InlineData("sales.rep", TextKind.Id)]
    [InlineData("Ünïcödé 東京 🚀", TextKind.Id)]
    [InlineData("Line one\nline two\r\n\tindented", TextKind.Note)]
    [InlineData("enterprise", TextKind.ContextValue)]
    [InlineData("", TextKind.ContextValue)]
    public void Validate_OrdinaryText_IsAccepted(string value, TextKind kind) =>
        Assert.Null(TextRules.Validate("field", value, kind));

    [Fact]
    public void Validate_Null_IsAccepted() => Assert.Null(TextRules.Validate("text", null, TextKind.Note));

    [Theory]
    [InlineData(TextKind.Id, 200)]
    [InlineData(TextKind.Note, 4000)]
    [InlineData(TextKind.ContextValue, 2000)]
    public void Validate_AtTheLimit_IsAcceptedAndOneMoreIsRefusedWithTheLimit(TextKind kind, int limit)
    {
        Assert.Null(TextRules.Validate("text", new string('x', limit), kind));

        var message = TextRules.Validate("text", new string('x', limit + 1), kind);

        Assert.Equal($"text is {limit + 1:N0} characters long; at most {limit:N0} are allowed.", message);
    }

    [Fact]
    public void Validate_NulInANote_NamesTheFieldTheCharacterAndItsPosition() =>
        Assert.Equal(
            "text contains the control character U+0000 at position 2; a note or reason may contain tabs and line breaks, but no other control characters.",
            TextRules.Validate("text", "a\0b", TextKind.Note));

    [Theory]
    [InlineData("a\tb", "U+0009")]
    [InlineData("a\nb", "U+000A")]
    [InlineData("a\u007Fb", "U+007F")]
    [InlineData("a\u0085b", "U+0085")]
    [InlineData("a\u009Fb", "U+009F")]
    [InlineData("a\u001Bb", "U+001B")]
    public void Validate_ControlCharacterInAnId_IsRefused(string value, string codePoint) =>
        Assert.Equal(
            $"by contains the control character {codePoint} at position 2; an id may contain no control characters (tabs and line breaks included).",
            TextRules.Validate("by", value, TextKind.Id));

    [Theory]
    [InlineData("a\u0001b")]
    [InlineData("a\u0085b")]
    [InlineData("a\vb")]
    public void Validate_ControlCharacterOtherThanTabOrLineBreakInANote_IsRefused(string value) =>
        Assert.StartsWith("reason contains the control character", TextRules.Validate("reason", value, TextKind.Note), StringComparison.Ordinal);

    [Fact]
    public void Validate_TabInAContextValue_IsRefused() =>
        Assert.StartsWith(
            "context.segment contains the control character U+0009 at position 4; a context value may contain no control characters",
            TextRules.Validate("context.segment", "ent\tprise", TextKind.ContextValue), StringComparison.Ordinal);

    // Attribute strings cannot hold lone surrogates (the compiler stores them as U+FFFD): the code unit comes as a number.
    [Theory]
    [InlineData("a", 0xD800, "b", 2)]
    [InlineData("ab", 0xDC00, "", 3)]
    [InlineData("ab", 0xD83D, "", 3)]
    public void Validate_LoneSurrogate_IsRefused(string before, int surrogate, string after, int position) =>
        Assert.Equal(
            $"businessKey contains a lone surrogate (U+{surrogate:X4}) at position {position}: it is not valid Unicode text and has no UTF-8 form.",
            TextRules.Validate("businessKey", before + (char)surrogate + after, TextKind.Id));

    [Theory]
    [InlineData("a\uFFFF", "U+FFFF")]
    [InlineData("a\uFFFE", "U+FFFE")]
    [InlineData("a\uFDD0", "U+FDD0")]
    [InlineData("a\uD83F\uDFFF", "U+1FFFF")]
    public void Validate_Noncharacter_IsRefused(string value, string codePoint) =>
        Assert.Equal(
            $"option contains the Unicode noncharacter {codePoint} at position 2, which text may not carry.",
            TextRules.Validate("option", value, TextKind.Id));

    [Fact]
    public void ValidateContext_ValidFields_IsAccepted() =>
        Assert.Null(TextRules.ValidateContext(new Dictionary<string, string> { ["deal_id"] = "D-1", ["deal_owner"] = "sales.rep" }));

    [Fact]
    public void ValidateContext_BadValue_NamesTheContextField()
    {
        var problem = TextRules.ValidateContext(new Dictionary<string, string> { ["deal_id"] = "D-1", ["deal_owner"] = "sales\0rep" });

        Assert.NotNull(problem);
        Assert.Equal("context.deal_owner", problem.Field);
        Assert.StartsWith("context.deal_owner contains the control character U+0000 at position 6", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateContext_ValueOverTheLimit_NamesTheFieldAndTheLimit()
    {
        var problem = TextRules.ValidateContext(new Dictionary<string, string> { ["segment"] = new string('x', 2001) });

        Assert.Equal(new TextProblem("context.segment", "context.segment is 2,001 characters long; at most 2,000 are allowed."), problem);
    }

    [Theory]
    [InlineData("deal\nowner", "A field name of context contains the control character U+000A at position 5")]
    [InlineData("", "A field name of context is empty")]
    public void ValidateContext_BadFieldName_NamesTheContext(string name, string expected)
    {
        var problem = TextRules.ValidateContext(new Dictionary<string, string> { [name] = "x" });

        Assert.NotNull(problem);
        Assert.Equal("context", problem.Field);
        Assert.StartsWith(expected, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateContext_FieldNameOverTheLimit_IsRefused()
    {
        var problem = TextRules.ValidateContext(new Dictionary<string, string> { [new string('n', 201)] = "x" });

        Assert.Equal(new TextProblem("context", "A field name of context is 201 characters long; at most 200 are allowed."), problem);
    }

    [Fact]
    public void ValidateContext_OverThirtyTwoKiBAsUtf8Json_IsRefusedWithTheSize()
    {
        // 17 values of 2,000 characters each are within the per-value limit, 34,000+ bytes together.
        var context = Enumerable.Range(0, 17).ToDictionary(i => $"field_{i:00}", _ => new string('x', 2000));
        var bytes = TextRules.ContextBytes(context);
        Assert.True(bytes > TextRules.MaxContextBytes);

        var problem = TextRules.ValidateContext(context);

        Assert.Equal(
            new TextProblem("context", $"context is {bytes:N0} bytes as UTF-8 JSON; a start context may be at most 32,768 bytes (32 KiB). Keep long texts out of it: record them as progress notes."),
            problem);
    }

    [Fact]
    public void ContextBytes_NonAsciiText_CountsItsUtf8Bytes() =>
        // {"k":"é東"} is 2 + 3 + 1 + (1 + 2 + 3 + 1) bytes: é is 2 bytes in UTF-8, 東 is 3, and neither is escaped.
        Assert.Equal(13, TextRules.ContextBytes(new Dictionary<string, string> { ["k"] = "é東" }));
}
