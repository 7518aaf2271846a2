using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Coordinator.Controls.Guardrail;
using Coordinator.Controls.Pii;
using Coordinator.Core.Ports;

// The controls' throughput on one thread, and the latency drafting adds (issue 14). Each has its own measurement; --control picks one.
//   dotnet run -c Release --project bench/Coordinator.ControlBenchmarks -- [--control pii|guardrail|draft|all] [--seconds N] [--corpus DIR]
// --corpus is the folder with pii.jsonl (and guardrail.jsonl); default tests/Coordinator.Controls.Tests/corpus under
// the repository root, found by walking up to Coordinator.sln.
var control = Option("--control", "all");
var seconds = double.Parse(Option("--seconds", "5"), CultureInfo.InvariantCulture);
var corpus = Option("--corpus", "") is { Length: > 0 } given ? given : DefaultCorpus();
if (control is not ("pii" or "guardrail" or "draft" or "all") || seconds <= 0)
{
    Console.Error.WriteLine("usage: --control pii|guardrail|draft|all  --seconds N (> 0)  --corpus DIR");
    return 2;
}
Console.WriteLine($"corpus {corpus}, {Environment.ProcessorCount} cores, one thread, {seconds:F0} s per measurement");
var ok = true;
if (control is "pii" or "all")
    ok &= MeasurePii(Path.Combine(corpus, "pii.jsonl"), seconds);
if (control is "guardrail" or "all")
    ok &= MeasureGuardrail(Path.Combine(corpus, "guardrail.jsonl"), seconds);
if (control is "draft" or "all")
    ok &= await Coordinator.ControlBenchmarks.Drafting.MeasureAsync(seconds);
return ok ? 0 : 1;

// ---- pii-detector: Redact over the corpus sentences, with the corpus's directory of people (pii-people.json) ----------------------
static bool MeasurePii(string file, double seconds)
{
    const double Goal = 2000;
    var texts = LoadTexts(file);
    var people = KnownPeople.Load(Path.Combine(Path.GetDirectoryName(file)!, "pii-people.json"));
    var detector = new PiiDetector();
    var (rate, findings) = Measure(texts, seconds, text => detector.Redact(text, people).Findings.Count);
    Console.WriteLine($"pii-detector Redact: {rate:N0} messages/s ({texts.Count} sentences, {findings} findings per pass; goal {Goal:N0}/s: {(rate >= Goal ? "met" : "missed")})");
    return true;
}

// ---- topic-guardrail: CheckInbound over the labelled messages, with the corpus's four topics ----------------------------
static bool MeasureGuardrail(string file, double seconds)
{
    const double Goal = 2000;
    var texts = LoadTexts(file);
    string[] topics = ["customer onboarding", "IT setup", "insurance claims", "change management"];
    var guardrail = new TopicGuardrail(new PiiDetector());
    var (rate, refused) = Measure(texts, seconds, text => guardrail.CheckInbound(text, topics).Allowed ? 0 : 1);
    Console.WriteLine($"topic-guardrail CheckInbound: {rate:N0} messages/s ({texts.Count} messages, {refused} not allowed per pass; goal {Goal:N0}/s: {(rate >= Goal ? "met" : "missed")})");
    return true;
}

// ---- shared --------------------------------------------------------------------------------------------------------

// Warms up (one second), then runs the corpus round after round on this thread for at least the given time.
static (double Rate, long PerPass) Measure(IReadOnlyList<string> texts, double seconds, Func<string, int> run)
{
    long perPass = 0;
    var warmup = Stopwatch.StartNew();
    while (warmup.Elapsed < TimeSpan.FromSeconds(1))
    {
        perPass = 0;
        foreach (var text in texts)
            perPass += run(text);
    }
    long messages = 0;
    var watch = Stopwatch.StartNew();
    while (watch.Elapsed < TimeSpan.FromSeconds(seconds))
    {
        foreach (var text in texts)
            run(text);
        messages += texts.Count;
    }
    return (messages / watch.Elapsed.TotalSeconds, perPass);
}

static List<string> LoadTexts(string file)
{
    var texts = new List<string>();
    foreach (var line in File.ReadLines(file))
    {
        if (string.IsNullOrWhiteSpace(line))
            continue;
        using var json = JsonDocument.Parse(line);
        texts.Add(json.RootElement.GetProperty("text").GetString() ?? "");
    }
    return texts;
}

static string DefaultCorpus()
{
    for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Coordinator.sln")))
            return Path.Combine(dir.FullName, "tests", "Coordinator.Controls.Tests", "corpus");
    }
    throw new DirectoryNotFoundException("Coordinator.sln not found above the current directory; pass --corpus DIR.");
}

string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
