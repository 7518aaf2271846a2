using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Coordinator.Hosting.SideEffects;
using Coordinator.Orchestration;
using Coordinator.Hosting.Tests.Support;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Coordinator.Testing;

namespace Coordinator.Hosting.Tests.Api;

/// <summary>The standalone host on the Durable Azure Storage backend (real Azurite), driven through its HTTP API.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ServeEndToEndTests(ThrowawayAzurite azurite) : IAsyncLifetime
{
    private readonly ServerFixture _server = new(azurite);

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    private static object OnboardingStart(string dealId) => new
    {
        businessKey = dealId,
        context = new { deal_id = dealId, deal_owner = "sales.rep", segment = "enterprise" },
    };

    [Fact]
    public async Task Onboarding_DrivenThroughApiWithBlockAndDecision_Completes()
    {
        using var start = await _server.Http.PostAsJsonAsync("/api/workflows/b2b-onboarding/instances", OnboardingStart("D-2001"));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var instanceId = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString()!;
        // The start context shows at once (read from the input until the first turn publishes the status).
        Assert.Equal(
            new Dictionary<string, string> { ["deal_id"] = "D-2001", ["deal_owner"] = "sales.rep", ["segment"] = "enterprise" },
            (await _server.GetInstanceAsync(instanceId)).GetProperty("context").Deserialize<Dictionary<string, string>>());

        var posted = new HashSet<string>(StringComparer.Ordinal);
        var blockedOnce = false;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "the onboarding did not complete within 3 minutes");
            var instance = await _server.GetInstanceAsync(instanceId);
            if (instance.GetProperty("status").GetString() == "completed")
                break;
            var acted = false;
            foreach (var step in instance.GetProperty("steps").EnumerateArray())
            {
                var stepId = step.GetProperty("stepId").GetString()!;
                var status = step.GetProperty("status").GetString();
                var owner = step.GetProperty("owners").EnumerateArray().Select(o => o.GetString()).FirstOrDefault();
                object? body = (stepId, status) switch
                {
                    ("it-setup", "active") when !blockedOnce => new { type = "blocked", by = owner, reason = "customer IdP undecided" },
                    ("it-setup", "blocked") => new { type = "decide", by = "it.lead", option = "temporary-accounts" },
                    (_, "active") => new { type = "done", by = owner },
                    _ => null,
                };
                if (body is null || !posted.Add($"{stepId}:{status}:{JsonSerializer.Serialize(body)}"))
                    continue;
                using var response = await _server.Http.PostAsJsonAsync($"/api/instances/{instanceId}/steps/{stepId}/events?wait=30", body);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{stepId} ({status}): {await response.Content.ReadAsStringAsync()}");
                if (stepId == "it-setup" && status == "active")
                    blockedOnce = true;
                // Each event moves its step on (done, blocked, decided): wait until the instance shows it,
                // so the next event is chosen from the state the previous one produced.
                await _server.WaitForAsync(instanceId, i => StepStatus(i, stepId) != status, TimeSpan.FromSeconds(60), $"{stepId} to leave '{status}'");
                acted = true;
                break;
            }
            if (!acted)
                await Task.Delay(200); // polling interval while the coordinator activates the next steps
        }

        var final = await _server.GetInstanceAsync(instanceId);
        Assert.All(final.GetProperty("steps").EnumerateArray(), s => Assert.Equal("done", s.GetProperty("status").GetString()));

        var audit = _server.Server.Services.GetRequiredService<InMemoryAuditLog>().All.Where(e => e.InstanceId == instanceId).ToArray();
        Assert.Contains(audit, e => e.Action == "step.blocked" && e.StepId == "it-setup");
        Assert.Contains(audit, e => e.Action == "decision.requested" && e.StepId == "it-setup");
        Assert.Contains(audit, e => e.Action == "decision.made" && e.StepId == "it-setup" && e.Actor == "it.lead");
        Assert.Contains(audit, e => e.Action == "instance.completed");
        Assert.Equal(audit.Length, audit.Select(e => e.IdempotencyKey).Distinct().Count());
    }

    [Fact]
    public async Task StartInstance_ConcurrentDuplicates_StartOneInstance()
    {
        var requests = Enumerable.Range(0, 8)
            .Select(_ => _server.Http.PostAsJsonAsync("/api/workflows/b2b-onboarding/instances", OnboardingStart("D-2002")))
            .ToArray();
        var responses = await Task.WhenAll(requests);
        try
        {
            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted);
            Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
            var ids = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString()));
            Assert.Single(ids.Distinct());

            using var list = await _server.Http.GetAsync("/api/instances?workflow=b2b-onboarding");
            var all = await list.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Single(all.EnumerateArray(), i => i.GetProperty("businessKey").GetString() == "D-2002");
        }
        finally
        {
            foreach (var response in responses)
                response.Dispose();
        }
    }

    [Fact]
    public async Task InboxFollowPage_InstanceWhoseFirstTurnHasNotRun_SaysItIsStartingAndReloadsItself()
    {
        // Scheduled an hour ahead, the instance stays pending: what the inbox's follow page sees while a first turn runs late.
        var client = _server.Server.Services.GetRequiredService<DurableTaskClient>();
        var instanceId = await client.ScheduleNewOrchestrationInstanceAsync(
            new TaskName("NotYetRunning"), input: null, new StartOrchestrationOptions { InstanceId = "follow-pending-1", StartAt = DateTimeOffset.UtcNow.AddHours(1) });
        try
        {
            Assert.Equal(OrchestrationRuntimeStatus.Pending, (await client.GetInstanceAsync(instanceId))!.RuntimeStatus);
            using var response = await _server.Http.GetAsync("/?started=" + instanceId);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("<meta http-equiv=\"refresh\" content=\"2\">", html, StringComparison.Ordinal);
            Assert.Contains(
                "Instance follow-pending-1 is starting: its first turn is still running. This page reloads every 2 seconds and opens the inbox of its first step&#x27;s owner as soon as that step is assigned.",
                html, StringComparison.Ordinal);
        }
        finally
        {
            await client.TerminateInstanceAsync(instanceId);
        }
    }

    [Fact]
    public async Task BadInput_GetsProblemDetails_AndChangesNothing()
    {
        // Unknown workflow and instance.
        using (var r = await _server.Http.PostAsJsonAsync("/api/workflows/no-such-workflow/instances", OnboardingStart("X")))
            await AssertProblemAsync(r, HttpStatusCode.NotFound);
        using (var r = await _server.Http.GetAsync("/api/instances/no-such-instance"))
            await AssertProblemAsync(r, HttpStatusCode.NotFound);

        // Missing context field, unknown field, malformed JSON: 400 naming the field.
        using (var r = await _server.Http.PostAsJsonAsync("/api/workflows/b2b-onboarding/instances", new { context = new { deal_id = "D-3" } }))
            await AssertProblemAsync(r, HttpStatusCode.BadRequest, "context.deal_owner");
        using (var r = await _server.Http.PostAsJsonAsync("/api/workflows/b2b-onboarding/instances", new { businessKey = "D-3", contxt = new { } }))
            await AssertProblemAsync(r, HttpStatusCode.BadRequest, "contxt");
        using (var r = await _server.Http.PostAsync("/api/workflows/b2b-onboarding/instances", new StringContent("{not json", Encoding.UTF8, "application/json")))
            await AssertProblemAsync(r, HttpStatusCode.BadRequest, "body");

        // Over 256 KiB: 413.
        var huge = new { businessKey = "D-4", context = new { deal_id = "D-4", deal_owner = "sales.rep", segment = new string('x', 300 * 1024) } };
        using (var r = await _server.Http.PostAsJsonAsync("/api/workflows/b2b-onboarding/instances", huge))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);

        // No API key: 401.
        using (var anonymous = new HttpClient { BaseAddress = _server.BaseAddress })
        using (var r = await anonymous.GetAsync("/api/instances"))
            await AssertProblemAsync(r, HttpStatusCode.Unauthorized);

        // A running instance: events the engine rejects get 409 and change nothing.
        using var start = await _server.Http.PostAsJsonAsync("/api/workflows/b2b-onboarding/instances", OnboardingStart("D-2003"));
        var instanceId = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString()!;
        var before = await _server.WaitForAsync(instanceId, i => StepStatus(i, "contract") == "active", TimeSpan.FromSeconds(60), "contract to be active");

        using (var r = await _server.Http.PostAsJsonAsync($"/api/instances/{instanceId}/steps/go-live/events", new { type = "done", by = "csm.lead" }))
            await AssertProblemAsync(r, HttpStatusCode.Conflict);
        using (var r = await _server.Http.PostAsJsonAsync($"/api/instances/{instanceId}/steps/contract/events", new { type = "done", by = "someone.else" }))
            await AssertProblemAsync(r, HttpStatusCode.Conflict);
        using (var r = await _server.Http.PostAsJsonAsync($"/api/instances/{instanceId}/steps/contract/events", new { by = "sales.rep" }))
            await AssertProblemAsync(r, HttpStatusCode.BadRequest, "type");
        using (var r = await _server.Http.PostAsJsonAsync($"/api/instances/{instanceId}/steps/contract/events", new { type = "blocked", by = "sales.rep" }))
            await AssertProblemAsync(r, HttpStatusCode.BadRequest, "reason");
        using (var r = await _server.Http.PostAsJsonAsync($"/api/instances/{instanceId}/steps/no-such-step/events", new { type = "done", by = "sales.rep" }))
            await AssertProblemAsync(r, HttpStatusCode.NotFound);

        var after = await _server.GetInstanceAsync(instanceId);
        Assert.Equal(StepsOf(before), StepsOf(after));
    }

    [Fact]
    public async Task PostStepEvent_ConflictingEventsAtTheSameMoment_OneIsAppliedWith200AndTheOtherRejectedWith409()
    {
        for (var pair = 0; pair < 4; pair++)
        {
            var instanceId = await StartWithActiveContractAsync($"D-24{pair:00}");

            // Both pass the up-front check against the same state; the instance applies one, and the
            // other finds the step done and must be rejected, and its answer must say so.
            var (codes, texts) = await PostTogetherAsync(
                instanceId, new { type = "done", by = "sales.rep", text = "signed" }, new { type = "done", by = "sales.rep", text = "signed too" });

            var summary = string.Join(" | ", codes.Zip(texts, (c, t) => $"{(int)c} {t}"));
            Assert.True(codes.Order().SequenceEqual([HttpStatusCode.OK, HttpStatusCode.Conflict]), summary);
            var applied = JsonDocument.Parse(texts[Array.IndexOf(codes, HttpStatusCode.OK)]).RootElement;
            Assert.Equal("applied", applied.GetProperty("outcome").GetString());
            var audit = ContractAudit(instanceId);
            var completed = Assert.Single(audit, e => e.Action == "step.completed");
            Assert.Equal(applied.GetProperty("sequence").GetInt64(), completed.Detail!.Value.GetProperty("sequence").GetInt64());
            Assert.Single(audit, e => e.Action == "event.rejected");
        }
    }

    [Fact]
    public async Task PostStepEvent_DoneAndBlockedAtTheSameMoment_EachAnswerSaysWhatTheAuditRecorded()
    {
        for (var pair = 0; pair < 4; pair++)
        {
            var instanceId = await StartWithActiveContractAsync($"D-25{pair:00}");
            var (codes, texts) = await PostTogetherAsync(
                instanceId, new { type = "done", by = "sales.rep" }, new { type = "blocked", by = "sales.rep", reason = "legal has not signed" });

            // Blocked then done: both apply (the owner may finish a blocked step). Done then blocked:
            // the block is rejected. Whichever happened, the answers match the registry.
            var audit = ContractAudit(instanceId);
            string[] actions = ["step.completed", "step.blocked"];
            for (var i = 0; i < 2; i++)
            {
                var summary = $"{(int)codes[i]} {texts[i]}";
                if (codes[i] == HttpStatusCode.OK)
                {
                    var sequence = JsonDocument.Parse(texts[i]).RootElement.GetProperty("sequence").GetInt64();
                    Assert.Single(audit, e => e.Action == actions[i] && e.Detail!.Value.GetProperty("sequence").GetInt64() == sequence);
                }
                else
                {
                    Assert.True(codes[i] == HttpStatusCode.Conflict, summary);
                    Assert.DoesNotContain(audit, e => e.Action == actions[i]);
                    Assert.Single(audit, e => e.Action == "event.rejected");
                }
            }
        }
    }

    [Fact]
    public async Task PostStepEvent_SentAgainWithTheSameId_IsTakenUpOnceAndAnswersTheFirstOutcome()
    {
        var instanceId = await StartWithActiveContractAsync("D-2701");
        var uri = $"/api/instances/{instanceId}/steps/contract/events?wait=30";

        // A client whose answer got lost sends the same event again, before and after it took effect.
        using var first = await _server.Http.PostAsJsonAsync(uri, new { type = "done", by = "sales.rep", id = "crm-4711" });
        using var again = await _server.Http.PostAsJsonAsync(uri, new { type = "done", by = "sales.rep", id = "crm-4711" });
        using var badId = await _server.Http.PostAsJsonAsync(uri, new { type = "done", by = "sales.rep", id = "no spaces" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var (one, two) = (await first.Content.ReadFromJsonAsync<JsonElement>(), await again.Content.ReadFromJsonAsync<JsonElement>());
        Assert.Equal("crm-4711", one.GetProperty("eventId").GetString());
        Assert.Equal(one.GetProperty("sequence").GetInt64(), two.GetProperty("sequence").GetInt64());
        await AssertProblemAsync(badId, HttpStatusCode.BadRequest, "id");
        var audit = ContractAudit(instanceId);
        Assert.Single(audit, e => e.Action == "step.completed");
        Assert.DoesNotContain(audit, e => e.Action == "event.rejected");
    }

    [Fact]
    public async Task GetInstance_InstanceThatFailed_ShowsTheReason()
    {
        // An input no orchestrator can run (time scale 0), started past the API as a broken client could.
        var client = _server.Server.Services.GetRequiredService<DurableTaskClient>();
        var definition = _server.Server.Services.GetRequiredService<WorkflowRegistry>().Latest("b2b-onboarding")!;
        var input = CoordinatorInput.Create(definition, new Dictionary<string, string> { ["deal_id"] = "D-2601", ["deal_owner"] = "sales.rep" }) with { TimeScale = 0 };
        var instanceId = await client.ScheduleNewOrchestrationInstanceAsync(CoordinatorOrchestrator.Name, input, new StartOrchestrationOptions("b2b-onboarding.broken-" + Guid.NewGuid().ToString("N")));

        var view = await _server.WaitForAsync(instanceId, i => i.GetProperty("status").GetString() == "failed", TimeSpan.FromSeconds(60), "the instance to fail");

        var failure = view.GetProperty("failure");
        Assert.True(failure.ValueKind == JsonValueKind.Object, view.GetRawText());
        // The embedded sidecar keeps only the message (the type shows where the backend reports failure details).
        Assert.False(string.IsNullOrEmpty(failure.GetProperty("type").GetString()), failure.GetRawText());
        Assert.Contains("TimeScale must be a finite number", failure.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private async Task<string> StartWithActiveContractAsync(string dealId)
    {
        using var start = await _server.Http.PostAsJsonAsync("/api/workflows/b2b-onboarding/instances", OnboardingStart(dealId));
        var instanceId = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString()!;
        await _server.WaitForAsync(instanceId, i => StepStatus(i, "contract") == "active", TimeSpan.FromSeconds(60), "contract to be active");
        return instanceId;
    }

    private async Task<(HttpStatusCode[] Codes, string[] Texts)> PostTogetherAsync(string instanceId, object first, object second)
    {
        var uri = $"/api/instances/{instanceId}/steps/contract/events?wait=30";
        var answers = await Task.WhenAll(_server.Http.PostAsJsonAsync(uri, first), _server.Http.PostAsJsonAsync(uri, second));
        var texts = await Task.WhenAll(answers.Select(a => a.Content.ReadAsStringAsync()));
        var codes = answers.Select(a => a.StatusCode).ToArray();
        foreach (var answer in answers)
            answer.Dispose();
        return (codes, texts);
    }

    private Core.Ports.AuditEntry[] ContractAudit(string instanceId) =>
        _server.Server.Services.GetRequiredService<InMemoryAuditLog>().All.Where(e => e.InstanceId == instanceId && e.StepId == "contract").ToArray();

    private static string? StepStatus(JsonElement instance, string stepId) =>
        instance.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("stepId").GetString() == stepId).GetProperty("status").GetString();

    private static string StepsOf(JsonElement instance) => instance.GetProperty("steps").GetRawText();

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string? field = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
            Assert.True(errors.TryGetProperty(field, out _), $"expected an error on '{field}': {text}");
        }
    }
}
