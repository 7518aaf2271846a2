using System.Diagnostics;
using System.Text.RegularExpressions;
using Coordinator.AI;
using Coordinator.Controls.Guardrail;
using Coordinator.Controls.Pii;
using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Coordinator.ControlBenchmarks;

/// <summary>
/// The latency drafting adds on top of the template path (issue 14's goal: under 5 ms per message), with a model that
/// answers at once: <see cref="ModelMessageDrafter"/> end to end (rate limit, redaction of the prompt, the call, the
/// guardrail on the draft, the facts check, restoring, the audit rows' hashes) with the model and the audit registry in
/// memory, so what is measured is the coordinator's own cost of a draft, not a network's or a model's.
/// </summary>
internal static partial class Drafting
{
    private const string Due = "Fri 4 Dec 2026, 17:00";
    private const string Template = "*Reminder: IT set-up is due soon*\nHi Anna Rossi, IT set-up on D-1001 (B2B onboarding) is due " + Due
        + ". The customer's IT desk is it-desk@customer-example.com, +39 347 123 4567. Reply done when it is finished, or blocked: <reason>.";

    public static async Task<bool> MeasureAsync(double seconds)
    {
        const double GoalMs = 5;
        var options = Options.Create(new LlmOptions { Provider = "openai-compatible", Model = "bench", Endpoint = new Uri("http://127.0.0.1:1/v1"), MaxCallsPerMinute = 100_000 });
        var pii = new PiiDetector();
        var drafter = new ModelMessageDrafter(new EchoModel(), pii, new TopicGuardrail(pii), new DiscardingAuditLog(), options,
            TimeProvider.System, NullLogger.Instance);
        long sequence = 0;
        async Task<double> OneAsync()
        {
            var request = Request(Interlocked.Increment(ref sequence));
            var watch = Stopwatch.StartNew();
            var draft = await drafter.DraftAsync(request).ConfigureAwait(false);
            var elapsed = watch.Elapsed.TotalMilliseconds;
            if (draft.Source != DraftSource.Model)
                throw new InvalidOperationException($"the draft fell back to the template: {draft.FallbackReason}");
            return elapsed;
        }

        var warmup = Stopwatch.StartNew();
        while (warmup.Elapsed < TimeSpan.FromSeconds(1))
            await OneAsync().ConfigureAwait(false);
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (total.Elapsed < TimeSpan.FromSeconds(seconds))
            times.Add(await OneAsync().ConfigureAwait(false));
        times.Sort();
        double P(double q) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(q * times.Count) - 1)];
        var mean = times.Average();
        Console.WriteLine($"drafting with a model answering at once: {mean:F3} ms added per message on average (goal under {GoalMs} ms: {(mean < GoalMs ? "met" : "missed")}); p50 {P(0.5):F3} ms, p95 {P(0.95):F3} ms, p99 {P(0.99):F3} ms ({times.Count:N0} drafts)");
        return true;
    }

    private static DraftRequest Request(long n) => new()
    {
        Notification = new Notification
        {
            IdempotencyKey = $"onboarding-D-{n}:reminder:7",
            InstanceId = $"onboarding-D-{n}",
            WorkflowId = "b2b-onboarding",
            WorkflowTitle = "B2B onboarding",
            BusinessKey = "D-1001",
            StepTitle = "IT set-up",
            Recipients = ["it-engineer"],
            Action = new CoordinationAction
            {
                Type = CoordinationActionType.Reminder,
                At = new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero),
                Sequence = 7,
                Key = "reminder:it-setup:1",
                StepId = "it-setup",
                To = ["it-engineer"],
                Due = new DateTimeOffset(2026, 12, 4, 17, 0, 0, TimeSpan.Zero),
            },
        },
        Kind = "reminder",
        RecipientId = "it-engineer",
        Language = "en",
        Template = Template,
        Facts = ["D-1001", "IT set-up", Due],
        People = [new KnownPerson("it-engineer", ["Anna Rossi", "Anna"], ["U024BE7LH", "anna.rossi@example.com"])],
        Topics = ["B2B onboarding", "IT set-up"],
    };

    [GeneratedRegex(@"<template>\n(?<text>.*?)\n</template>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex TemplateSection();

    /// <summary>A model that answers at once with the (redacted) template it was given: a draft every control accepts.</summary>
    private sealed class EchoModel : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var prompt = string.Join('\n', messages.Select(m => m.Text));
            var text = TemplateSection().Match(prompt) is { Success: true } match
                ? match.Groups["text"].Value
                : throw new InvalidOperationException("the drafter's prompt has no <template> section");
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
            {
                FinishReason = ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = prompt.Length / 4, OutputTokenCount = text.Length / 4 },
            });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("the drafter does not stream");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    /// <summary>The audit registry's port, answering at once (its own latency is the audit benchmark's).</summary>
    private sealed class DiscardingAuditLog : IAuditLog
    {
        public Task<AuditAppendResult> AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default) =>
            Task.FromResult(new AuditAppendResult(entries.Count, 0, 0));
    }
}
