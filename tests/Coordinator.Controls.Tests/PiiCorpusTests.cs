using System.Globalization;
using System.Text;
using Coordinator.Controls.Pii;
using Coordinator.Core.Ports;
using PhoneNumbers;
using Xunit.Abstractions;

namespace Coordinator.Controls.Tests;

/// <summary>The measurement of issue 14, section 4: the detector over the labelled corpus, per kind recall and precision.</summary>
public sealed class PiiCorpusTests(ITestOutputHelper output)
{
    private static readonly PiiKind[] ChecksumKinds = [PiiKind.Iban, PiiKind.PaymentCard, PiiKind.FiscalCode];

    [Fact]
    public void Corpus_Shape_MeetsTheIssuesMinimums()
    {
        var corpus = PiiCorpus.Load();
        Assert.True(corpus.Count >= 320, $"{corpus.Count} sentences");
        var english = corpus.Count(l => l.Lang == "en");
        var italian = corpus.Count(l => l.Lang == "it");
        Assert.Equal(corpus.Count, english + italian);
        Assert.InRange(english, corpus.Count * 0.4, corpus.Count * 0.6);
        foreach (var kind in ChecksumKinds)
        {
            var sentences = corpus.Count(l => l.Entities.Any(e => e.Kind == kind));
            Assert.True(sentences >= 40, $"{kind}: {sentences} sentences");
        }
        Assert.True(corpus.Count(l => l.Entities.Count == 0) >= 60, "near-miss sentences");
        foreach (var line in corpus)
        {
            foreach (var entity in line.Entities)
                Assert.Contains(entity.Value, line.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Corpus_LabelledPhones_AreValidNumbers()
    {
        var util = PhoneNumberUtil.GetInstance();
        var invalid = new List<string>();
        foreach (var line in PiiCorpus.Load())
        {
            foreach (var entity in line.Entities.Where(e => e.Kind == PiiKind.Phone))
            {
                var valid = new[] { "IT", "GB", "US" }.Any(region =>
                {
                    try
                    {
                        return util.IsValidNumber(util.Parse(entity.Value, region));
                    }
                    catch (NumberParseException)
                    {
                        return false;
                    }
                });
                if (!valid)
                    invalid.Add(entity.Value);
            }
        }
        Assert.Empty(invalid);
    }

    [Fact]
    public void Corpus_LabelledChecksums_PassTheirChecks()
    {
        foreach (var line in PiiCorpus.Load())
        {
            foreach (var entity in line.Entities)
            {
                var compact = new string(entity.Value.Where(char.IsAsciiLetterOrDigit).ToArray()).ToUpperInvariant();
                switch (entity.Kind)
                {
                    case PiiKind.Iban:
                        Assert.True(PiiChecksums.IsValidIban(compact), entity.Value);
                        break;
                    case PiiKind.PaymentCard:
                        Assert.True(PiiChecksums.IsLuhnValid(compact) && PiiChecksums.HasKnownIssuer(compact), entity.Value);
                        break;
                    case PiiKind.FiscalCode:
                        Assert.True(PiiChecksums.IsValidFiscalCode(compact), entity.Value);
                        break;
                }
            }
        }
    }

    [Fact]
    public void Detect_LabelledCorpus_MeetsRecallAndPrecisionGoals()
    {
        var detector = new PiiDetector();
        var corpus = PiiCorpus.Load();
        var tp = new Dictionary<PiiKind, int>();
        var fp = new Dictionary<PiiKind, int>();
        var fn = new Dictionary<PiiKind, int>();
        var misses = new List<string>();
        for (var number = 1; number <= corpus.Count; number++)
        {
            var line = corpus[number - 1];
            var expected = line.Entities.Select(e => (e.Kind, e.Value)).ToList();
            var unmatched = new List<(PiiKind Kind, string Value)>(expected);
            foreach (var finding in detector.Detect(line.Text, PiiCorpus.Directory))
            {
                var index = unmatched.IndexOf((finding.Kind, finding.Value));
                if (index >= 0)
                {
                    unmatched.RemoveAt(index);
                    tp[finding.Kind] = tp.GetValueOrDefault(finding.Kind) + 1;
                }
                else
                {
                    fp[finding.Kind] = fp.GetValueOrDefault(finding.Kind) + 1;
                    // The corpus is synthetic: its values can be printed to tell what was missed.
                    misses.Add($"FP line {number} {finding.Kind} '{finding.Value}'");
                }
            }
            foreach (var (kind, value) in unmatched)
            {
                fn[kind] = fn.GetValueOrDefault(kind) + 1;
                misses.Add($"FN line {number} {kind} '{value}'");
            }
        }

        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"pii-detector on {corpus.Count} sentences ({PiiCorpus.Path})");
        table.AppendLine(CultureInfo.InvariantCulture, $"{"kind",-12} {"TP",5} {"FP",5} {"FN",5} {"recall",8} {"precision",10}");
        foreach (var kind in Enum.GetValues<PiiKind>())
        {
            int t = tp.GetValueOrDefault(kind), f = fp.GetValueOrDefault(kind), n = fn.GetValueOrDefault(kind);
            table.AppendLine(CultureInfo.InvariantCulture, $"{kind,-12} {t,5} {f,5} {n,5} {Ratio(t, t + n),8:F3} {Ratio(t, t + f),10:F3}");
        }
        int allTp = tp.Values.Sum(), allFp = fp.Values.Sum(), allFn = fn.Values.Sum();
        var recall = Ratio(allTp, allTp + allFn);
        var precision = Ratio(allTp, allTp + allFp);
        table.AppendLine(CultureInfo.InvariantCulture, $"{"overall",-12} {allTp,5} {allFp,5} {allFn,5} {recall,8:F3} {precision,10:F3}");
        foreach (var miss in misses)
            table.AppendLine(miss);
        output.WriteLine(table.ToString());
        Console.WriteLine(table.ToString());

        foreach (var kind in ChecksumKinds)
        {
            int t = tp.GetValueOrDefault(kind), n = fn.GetValueOrDefault(kind);
            Assert.True(t + n > 0, $"{kind} has no labels");
            Assert.True(Ratio(t, t + n) >= 0.98, $"{kind} recall {Ratio(t, t + n):F3} < 0.98");
        }
        Assert.True(recall >= 0.90, $"overall recall {recall:F3} < 0.90");
        Assert.True(precision >= 0.90, $"overall precision {precision:F3} < 0.90");
    }

    private static double Ratio(int numerator, int denominator) => denominator == 0 ? 1.0 : (double)numerator / denominator;
}
