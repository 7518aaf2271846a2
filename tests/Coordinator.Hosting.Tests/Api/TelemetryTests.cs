using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.Tests.Durability;
using Coordinator.Hosting.Tests.Support;
using Coordinator.Testing;
using Xunit.Abstractions;

namespace Coordinator.Hosting.Tests.Api;

/// <summary>
/// <c>serve</c> (a separate process) exporting to a loopback OTLP/HTTP collector by the standard
/// <c>OTEL_*</c> variables: one trace from the HTTP request through the orchestration to its
/// activities, and the product's metrics.
/// </summary>
public sealed class TelemetryTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("coordinator-telemetry-");

    /// <summary>A two-step workflow, so that a test can run an instance to its end (Durable exports an orchestration's span when it completes).</summary>
    private const string DraftReview = """
        schema: coordinator/v1
        id: draft-review
        version: 1
        title: Draft and review
        process_owner: po
        business_key: ticket
        roles:
          po:       { people: [pat.owner] }
          author:   { from_context: author }
          reviewer: { people: [rita.reviewer] }
        steps:
          - { id: draft, title: Write the draft, owner: author, due: 1d }
          - { id: review, title: Review the draft, owner: reviewer, after: [draft], due: 1d }
        """;

    [Fact]
    public async Task Serve_WithAnOtlpEndpoint_ExportsOneTraceFromTheRequestThroughTheOrchestrationToItsActivities_AndTheProductsMetricsAndWorkloadGauges()
    {
        await using var collector = await OtlpCollector.StartAsync();
        var definitions = Directory.CreateDirectory(Path.Combine(_folder.FullName, "definitions")).FullName;
        await File.WriteAllTextAsync(Path.Combine(definitions, "draft-review.yaml"), DraftReview);
        var port = ThrowawayAzurite.FreePort();
        var key = Guid.NewGuid().ToString("N");
        using var serve = await ServeProcess.StartAsync(
            ["--backend", "memory", "--urls", $"http://127.0.0.1:{port}", "--definitions", definitions, "--data", Path.Combine(_folder.FullName, "data"), "--time-scale", "600"],
            new Dictionary<string, string>
            {
                ["Coordinator__ApiKey"] = key,
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_SERVICE_NAME"] = "coordinator-under-test",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
                ["Coordinator__Telemetry__WorkloadIntervalSeconds"] = "1",
            },
            TimeSpan.FromMinutes(2));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add(ApiKey.HeaderName, key);

        using var started = await http.PostAsJsonAsync("/api/workflows/draft-review/instances", new { businessKey = "OTEL-1", context = new { author = "ann.author" } });
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var instanceId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString()!;
        long Gauge(string name) => collector.Gauges.GetValueOrDefault((name, "draft-review"), -1);
        foreach (var (step, by) in new[] { ("draft", "ann.author"), ("review", "rita.reviewer") })
        {
            await MemoryServerFixture.UntilAsync(async () =>
            {
                var view = await http.GetFromJsonAsync<JsonElement>($"/api/instances/{instanceId}");
                return view.GetProperty("steps").EnumerateArray().Any(s => s.GetProperty("stepId").GetString() == step && s.GetProperty("status").GetString() == "active");
            }, $"the {step} step to be active");
            if (step == "draft")
            {
                // The workload gauges, read from the read model: one instance running, its one step active.
                await MemoryServerFixture.UntilAsync(
                    () => Task.FromResult(Gauge("coordinator.instances.running") == 1 && Gauge("coordinator.steps.active") == 1),
                    "the workload gauges to show the running instance and its active step");
                Assert.Equal(0, Gauge("coordinator.steps.blocked"));
                Assert.Equal(0, Gauge("coordinator.steps.overdue"));
                Assert.Equal(0, Gauge("coordinator.side_effects.pending_retry"));
            }
            using var done = await http.PostAsJsonAsync($"/api/instances/{instanceId}/steps/{step}/events", new { type = "done", by });
            Assert.True(done.StatusCode == HttpStatusCode.OK, await done.Content.ReadAsStringAsync());
        }

        CollectedSpan? request = null, create = null, orchestration = null, scheduled = null, activity = null, eventRequest = null, raised = null, effect = null;
        try
        {
            await MemoryServerFixture.UntilAsync(() =>
            {
                var spans = collector.Spans;
                request = spans.FirstOrDefault(s => s.Name == "POST /api/workflows/{workflowId}/instances");
                create = spans.FirstOrDefault(s => s.Name == "create_orchestration:CoordinatorOrchestrator");
                orchestration = spans.FirstOrDefault(s => s.Name == "orchestration:CoordinatorOrchestrator");
                scheduled = spans.FirstOrDefault(s => s.Name == "activity:AppendAuditEntries" && s.ParentSpanId == orchestration?.SpanId);
                activity = spans.FirstOrDefault(s => s.Name == "activity:AppendAuditEntries" && s.ParentSpanId == scheduled?.SpanId);
                eventRequest = spans.FirstOrDefault(s => s.Name == "POST /api/instances/{instanceId}/steps/{stepId}/events");
                raised = spans.FirstOrDefault(s => s.Name == "orchestration_event:HumanEvent" && s.ParentSpanId == eventRequest?.SpanId);
                effect = spans.FirstOrDefault(s => s.Name == "effect:AppendAuditEntries" && s.ParentSpanId == eventRequest?.SpanId);
                return Task.FromResult(activity is not null && raised is not null && effect is not null
                    && new[] { "coordinator.events.accepted", "coordinator.audit.append.duration", "coordinator.notifications.sent", "coordinator.notifications.delivery.duration" }.All(collector.Metrics.ContainsKey)
                    && Gauge("coordinator.instances.running") == 0);
            }, "the instance's trace and the product's metrics at the collector, and the instance no longer running in the gauge");
        }
        finally
        {
            foreach (var span in collector.Spans)
                output.WriteLine($"{span.Scope} {span.TraceId[..8]} {span.ParentSpanId,-16} -> {span.SpanId} {span.Name}");
            output.WriteLine("metrics: " + string.Join(", ", collector.Metrics.Select(m => $"{m.Key} ({m.Value})")));
            output.WriteLine("gauges: " + string.Join(", ", collector.Gauges.Select(g => $"{g.Key.Metric}{{{g.Key.Workflow}}} = {g.Value}")));
        }

        // The start request, the orchestration it created, an activity it scheduled and that activity's execution: one trace, parent to child.
        Assert.Equal("coordinator-under-test", request!.Service);
        Assert.Equal(request.SpanId, create!.ParentSpanId);
        Assert.Equal(create.SpanId, orchestration!.ParentSpanId);
        Assert.All(new[] { create, orchestration, scheduled!, activity! }, s => Assert.Equal(request.TraceId, s.TraceId));
        // A step event's request: its raise is its child, and so is the audit append of the turn it caused (the
        // activity runs under the instance's orchestration span, Durable's model: the effect's span links to it).
        Assert.Equal(eventRequest!.TraceId, raised!.TraceId);
        Assert.Equal(eventRequest.TraceId, effect!.TraceId);
        var executed = Assert.Single(collector.Spans, s => s.SpanId == Assert.Single(effect.Links));
        Assert.Equal("activity:AppendAuditEntries", executed.Name);
        Assert.Equal(orchestration.TraceId, executed.TraceId);
        Assert.Equal("Coordinator", collector.Metrics["coordinator.events.accepted"]);
        Assert.Contains("http.server.request.duration", collector.Metrics.Keys);
        // The sidecar's gRPC traffic is not the product's requests (Durable's own spans describe that work).
        Assert.DoesNotContain(collector.Spans, s => s.Name.Contains("TaskHubSidecarService", StringComparison.Ordinal));
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
