using Coordinator.Controls.Pii;
using Coordinator.Core.Ports;

namespace Coordinator.Controls.Tests;

public sealed class PiiDetectorTests
{
    private static readonly PiiDetector Detector = new();
    private static readonly IReadOnlyCollection<KnownPerson> Nobody = [];

    private static readonly IReadOnlyCollection<KnownPerson> People =
    [
        new("p-niccolo", ["Niccolò Bianchi", "Niccolò", "Bianchi"], ["U05NB8QX2", "n.bianchi@assicura-demo.it"]),
        new("p-sarah", ["Sarah Whitfield", "Sarah"], ["U03KQ9Z2M", "+393471122334"]),
    ];

    private static PiiFinding Single(string text, IReadOnlyCollection<KnownPerson>? people = null) =>
        Assert.Single(Detector.Detect(text, people ?? Nobody));

    [Theory]
    [InlineData("IBAN GB82 WEST 1234 5698 7654 32, thanks", "GB82 WEST 1234 5698 7654 32")]
    [InlineData("Pay DE89 3704 0044 0532 0130 00 today", "DE89 3704 0044 0532 0130 00")]
    [InlineData("bonifico su IT60X0542811101000000123456.", "IT60X0542811101000000123456")]
    public void Detect_PublishedIban_FindsIt(string text, string value)
    {
        var finding = Single(text);
        Assert.Equal((PiiKind.Iban, value), (finding.Kind, finding.Value));
        Assert.Equal(value, text.Substring(finding.Start, finding.Length));
    }

    [Theory]
    [InlineData("card 4111 1111 1111 1111 please", "4111 1111 1111 1111")]
    [InlineData("card 5555-5555-5555-4444.", "5555-5555-5555-4444")]
    [InlineData("Amex 378282246310005 on file", "378282246310005")]
    [InlineData("Amex 3782 822463 10005 on file", "3782 822463 10005")]
    public void Detect_PublishedTestCard_FindsIt(string text, string value)
    {
        var finding = Single(text);
        Assert.Equal((PiiKind.PaymentCard, value), (finding.Kind, finding.Value));
    }

    [Theory]
    [InlineData("Codice fiscale RSSMRA85T10A562S.", PiiKind.FiscalCode, "RSSMRA85T10A562S")]
    [InlineData("omocodia RSSMRA85T10A56NH ok", PiiKind.FiscalCode, "RSSMRA85T10A56NH")]
    [InlineData("write to mario.rossi@example.it.", PiiKind.Email, "mario.rossi@example.it")]
    [InlineData("chiamare il +39 347 123 4567 domani", PiiKind.Phone, "+39 347 123 4567")]
    [InlineData("ufficio 02 8734 5521 (Milano)", PiiKind.Phone, "02 8734 5521")]
    [InlineData("call +44 20 3123 4567 now", PiiKind.Phone, "+44 20 3123 4567")]
    [InlineData("host 192.168.10.24 is down", PiiKind.IpAddress, "192.168.10.24")]
    [InlineData("host 2001:db8::8a2e:370:7334 is down", PiiKind.IpAddress, "2001:db8::8a2e:370:7334")]
    public void Detect_EachKind_FindsIt(string text, PiiKind kind, string value)
    {
        var finding = Single(text);
        Assert.Equal((kind, value), (finding.Kind, finding.Value));
    }

    [Theory]
    [InlineData("Customer refers to order 4485-2231-9, please check.")]
    [InlineData("Invoice INV-2026-004512 is overdue.")]
    [InlineData("Change on 2026-03-14 at 14:30, claim of 14/03/2026.")]
    [InlineData("Window 22:00:00 to 23:30:00.")]
    [InlineData("Loss estimated at EUR 12,500.00, danno € 12.500,00.")]
    [InlineData("Upgrade to version 10.0.1 or v2.4.13.")]
    [InlineData("Postcode 20121 Milano, EC2A 4BX London.")]
    [InlineData("Reference 4111111111111112 is not a card.")]
    [InlineData("IBAN GB83 WEST 1234 5698 7654 32 bounced.")]
    [InlineData("Codice fiscale RSSMRA85T10A562T errato.")]
    [InlineData("Ticket INC0012345 merged into CHG0034567.")]
    [InlineData("Deal D-1001 is closed-won.")]
    [InlineData("Build 1.2.3.4 passed.")]
    public void Detect_NearMiss_FindsNothing(string text) => Assert.Empty(Detector.Detect(text, Nobody));

    [Fact]
    public void Detect_KnownPerson_FullNameAccentFreeAndHandles()
    {
        var findings = Detector.Detect("Niccolò Bianchi, NICCOLO, bianchi and <@U05NB8QX2> (n.bianchi@assicura-demo.it); not Niccolòs.", People);
        Assert.Equal(["Niccolò Bianchi", "NICCOLO", "bianchi", "U05NB8QX2", "n.bianchi@assicura-demo.it"], findings.Select(f => f.Value));
        Assert.All(findings, f => Assert.Equal(PiiKind.Person, f.Kind));
    }

    [Fact]
    public void Redact_PhoneThatIsAHandle_IsThatPersonsPlaceholder()
    {
        var redacted = Detector.Redact("Sarah is on +39 347 112 2334, Sarah said.", People);
        Assert.Equal("[PERSON_1] is on [PERSON_1], [PERSON_1] said.", redacted.Text);
        Assert.All(redacted.Findings, f => Assert.Equal(PiiKind.Person, f.Kind));
    }

    [Fact]
    public void Detect_Overlap_LongerWinsAndOrderedByStart()
    {
        // The e-mail holds the name "Bianchi"; the e-mail is longer, so one finding. Order by start.
        var findings = Detector.Detect("ip 10.0.0.1 then l.bianchi@example.it and 4111 1111 1111 1111", People);
        Assert.Equal([PiiKind.IpAddress, PiiKind.Email, PiiKind.PaymentCard], findings.Select(f => f.Kind));
        Assert.Equal(findings.OrderBy(f => f.Start).Select(f => f.Start), findings.Select(f => f.Start));
        for (var i = 1; i < findings.Count; i++)
            Assert.True(findings[i - 1].Start + findings[i - 1].Length <= findings[i].Start);
    }

    [Fact]
    public void Redact_SameValueAndSamePerson_SamePlaceholder()
    {
        var text = "Niccolò wrote from N.Bianchi@assicura-demo.it; mail a@b.it and A@B.IT, card 4111 1111 1111 1111 = 4111-1111-1111-1111, then c@d.it.";
        var redacted = Detector.Redact(text, People);
        Assert.Equal(
            "[PERSON_1] wrote from [PERSON_1]; mail [EMAIL_1] and [EMAIL_1], card [CARD_1] = [CARD_1], then [EMAIL_2].",
            redacted.Text);
        Assert.Equal("Niccolò", redacted.Originals["[PERSON_1]"]);
        Assert.Equal("a@b.it", redacted.Originals["[EMAIL_1]"]);
        Assert.Equal("4111 1111 1111 1111", redacted.Originals["[CARD_1]"]);
        Assert.Equal(7, redacted.Findings.Count);
    }

    [Fact]
    public void Restore_RedactedCorpusLine_RoundTrips()
    {
        var lines = PiiCorpus.Load();
        var checkedLines = 0;
        foreach (var line in lines)
        {
            var redacted = Detector.Redact(line.Text, PiiCorpus.Directory);
            foreach (var finding in redacted.Findings)
                Assert.DoesNotContain(finding.Value, redacted.Text, StringComparison.Ordinal);
            // Every value once: the round trip is exact.
            if (redacted.Findings.Count == redacted.Originals.Count)
            {
                Assert.Equal(line.Text, redacted.Restore(redacted.Text));
                checkedLines++;
            }
        }
        Assert.True(checkedLines > lines.Count / 2);
    }

    [Fact]
    public void Redact_NoFindings_TextUnchanged()
    {
        var redacted = Detector.Redact("Nothing personal here, ticket INC0012345.", Nobody);
        Assert.Equal("Nothing personal here, ticket INC0012345.", redacted.Text);
        Assert.Empty(redacted.Findings);
        Assert.Empty(redacted.Originals);
    }

    [Fact]
    public void Redact_ManyThreads_SameResult()
    {
        var lines = PiiCorpus.Load().Select(l => l.Text).ToArray();
        var expected = lines.Select(l => Detector.Redact(l, PiiCorpus.Directory).Text).ToArray();
        Parallel.For(0, lines.Length * 4, i =>
            Assert.Equal(expected[i % lines.Length], Detector.Redact(lines[i % lines.Length], PiiCorpus.Directory).Text));
    }

    [Fact]
    public void Redact_Values_NeverWrittenToConsole()
    {
        var original = Console.Out;
        var originalError = Console.Error;
        using var captured = new StringWriter();
        Console.SetOut(captured);
        Console.SetError(captured);
        try
        {
            Detector.Redact("card 4111 1111 1111 1111, mail a@b.it, RSSMRA85T10A562S", People);
        }
        finally
        {
            Console.SetOut(original);
            Console.SetError(originalError);
        }
        Assert.Equal("", captured.ToString());
    }

    [Fact]
    public void PiiDetector_Type_HasNoLoggerOrWriterDependency()
    {
        var type = typeof(PiiDetector);
        Assert.All(type.GetConstructors(), c => Assert.Empty(c.GetParameters()));
        var fields = type.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public);
        Assert.DoesNotContain(fields, f => f.FieldType.Name.Contains("Logger", StringComparison.Ordinal) || typeof(TextWriter).IsAssignableFrom(f.FieldType) || typeof(Stream).IsAssignableFrom(f.FieldType));
        Assert.DoesNotContain(type.Assembly.GetReferencedAssemblies(), a => a.Name!.Contains("Logging", StringComparison.Ordinal));
    }
}
