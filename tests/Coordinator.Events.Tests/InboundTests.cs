using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Coordinator.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coordinator.Events.Tests;

/// <summary>What the inbound webhook asked of the application core.</summary>
internal sealed class RecordingGateway : IWorkGateway
{
    public ConcurrentQueue<(string Workflow, string? BusinessKey, IReadOnlyDictionary<string, string> Context)> Starts { get; } = new();

    public ConcurrentQueue<(string? InstanceId, string? Workflow, string? BusinessKey, HumanEvent Event)> Events { get; } = new();

    public GatewayStart StartAnswer { get; set; } = new("onboarding.4711", false, null);

    public GatewayEvent EventAnswer { get; set; } = new(GatewayEventKind.Applied, "onboarding.4711");

    public Task<GatewayStart> StartAsync(string workflowId, string? businessKey, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken = default)
    {
        Starts.Enqueue((workflowId, businessKey, context));
        return Task.FromResult(StartAnswer);
    }

    public Task<GatewayEvent> SubmitAsync(string? instanceId, string? workflowId, string? businessKey, HumanEvent humanEvent, CancellationToken cancellationToken = default)
    {
        Events.Enqueue((instanceId, workflowId, businessKey, humanEvent));
        return Task.FromResult(EventAnswer);
    }
}

/// <summary>An audit log that keeps the rows it is given (the DENY rows of refused requests).</summary>
internal sealed class RecordingAuditLog : IAuditLog
{
    public ConcurrentQueue<AuditEntry> Entries { get; } = new();

    public Task<AuditAppendResult> AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        foreach (var entry in entries)
            Entries.Enqueue(entry);
        return Task.FromResult(new AuditAppendResult(entries.Count, 0, Entries.Count));
    }
}

/// <summary>The relay's store where the relay has no target: never called.</summary>
internal sealed class UnusedStore : IEventRelayStore
{
    public Task<EventCursor?> TryLeaseAsync(string target, string owner, TimeSpan lease, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<RegistryPage> ReadAsync(long after, IReadOnlyCollection<string> workflows, int max, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> AdvanceAsync(string target, string owner, long position, TimeSpan lease, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<int> PostponeAsync(string target, string owner, TimeSpan delay, string error, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task ReleaseAsync(string target, string owner, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// <c>POST /api/webhooks/events</c> on Kestrel as serve maps it (<see cref="EventsWebhook.MapEventsWebhook"/>), with a
/// recording gateway: the two inbound CloudEvents reach the application core with the gateway's outcomes as HTTP
/// answers, and a request that is not signed with the secret does nothing but a DENY row.
/// </summary>
public sealed class InboundTests : IAsyncLifetime
{
    private readonly RecordingGateway _gateway = new();
    private readonly RecordingAuditLog _audit = new();
    private readonly byte[] _key = StandardWebhooks.ParseSecret(RelayHarness.HostSecret)!;
    private WebApplication? _app;
    private HttpClient _client = new();

    public async Task InitializeAsync()
    {
        var port = ThrowawayAzurite.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Coordinator:Events:Webhook:Secret"] = RelayHarness.HostSecret });
        builder.Services.AddCoordinatorEvents(builder.Configuration);
        builder.Services.AddSingleton<IWorkGateway>(_gateway);
        builder.Services.AddSingleton<IAuditLog>(_audit);
        // No target (no Url, no definition's webhook): the relay starts and sends nothing.
        builder.Services.AddSingleton<IServedWorkflows>(new ServedWorkflows());
        builder.Services.AddSingleton<IEventRelayStore, UnusedStore>();
        builder.Services.AddProblemDetails();
        _app = builder.Build();
        _app.MapEventsWebhook();
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}") };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static string Event(string id, string type, object data) => JsonSerializer.Serialize(new
    {
        specversion = "1.0", id, source = "urn:tickets.example.com", type, time = "2026-03-02T09:00:00Z", datacontenttype = "application/json", data,
    });

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string body, Action<HttpRequestMessage, byte[]>? sign = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, EventsWebhook.Route) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(CoordinatorCloudEvents.ContentType);
        (sign ?? Sign(_key, DateTimeOffset.UtcNow))(request, bytes);
        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static Action<HttpRequestMessage, byte[]> Sign(byte[] key, DateTimeOffset at, Func<byte[], byte[]>? change = null) => (request, body) =>
    {
        var headers = StandardWebhooks.Headers(key, "msg-1", at, body);
        request.Headers.Add(StandardWebhooks.IdHeader, headers.Id);
        request.Headers.Add(StandardWebhooks.TimestampHeader, headers.Timestamp);
        request.Headers.Add(StandardWebhooks.SignatureHeader, headers.Signature);
        if (change is not null)
            request.Content = new ByteArrayContent(change(body)) { Headers = { ContentType = request.Content!.Headers.ContentType } };
    };

    [Fact]
    public async Task Post_SignedInstanceStart_StartsThroughTheGateway201()
    {
        var (status, body) = await PostAsync(Event("ticket-981", CoordinatorCloudEvents.InstanceStart,
            new { workflow = "onboarding", businessKey = "4711", context = new { deal_owner = "person-7", seats = 12 } }));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("onboarding.4711", body.GetProperty("instanceId").GetString());
        Assert.False(body.GetProperty("alreadyExisted").GetBoolean());
        var start = Assert.Single(_gateway.Starts);
        Assert.Equal(("onboarding", "4711"), (start.Workflow, start.BusinessKey));
        Assert.Equal(new Dictionary<string, string> { ["deal_owner"] = "person-7", ["seats"] = "12" }, start.Context);
    }

    [Fact]
    public async Task Post_InstanceStartThatExisted_200AndRefused_422WithTheGatewaysMessage()
    {
        _gateway.StartAnswer = new GatewayStart("onboarding.4711", true, null);
        var (existed, existing) = await PostAsync(Event("ticket-981", CoordinatorCloudEvents.InstanceStart, new { workflow = "onboarding", businessKey = "4711" }));
        _gateway.StartAnswer = new GatewayStart(null, false, "context.deal_owner is required: the person id of the deal's owner.", "context.deal_owner");
        var (refused, problem) = await PostAsync(Event("ticket-982", CoordinatorCloudEvents.InstanceStart, new { workflow = "onboarding", businessKey = "4712" }));

        Assert.Equal(HttpStatusCode.OK, existed);
        Assert.True(existing.GetProperty("alreadyExisted").GetBoolean());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused);
        Assert.Equal("context.deal_owner is required: the person id of the deal's owner.", problem.GetProperty("detail").GetString());
        Assert.Equal("context.deal_owner", problem.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData(GatewayEventKind.Applied, HttpStatusCode.OK)]
    [InlineData(GatewayEventKind.Accepted, HttpStatusCode.Accepted)]
    [InlineData(GatewayEventKind.Rejected, HttpStatusCode.Conflict)]
    [InlineData(GatewayEventKind.UnknownInstance, HttpStatusCode.NotFound)]
    [InlineData(GatewayEventKind.UnknownStep, HttpStatusCode.NotFound)]
    public async Task Post_SignedStepEvent_SubmittedWithTheCloudEventsIdAndAnsweredAsTheGatewaySays(GatewayEventKind outcome, HttpStatusCode expected)
    {
        _gateway.EventAnswer = new GatewayEvent(outcome, "onboarding.4711", outcome == GatewayEventKind.Applied ? null : "the step is not active");

        var (status, _) = await PostAsync(Event("jira-ISSUE-12.closed", CoordinatorCloudEvents.StepEvent,
            new { workflow = "onboarding", businessKey = "4711", step = "kickoff", type = "done", by = "person-7", text = "closed in Jira" }));

        Assert.Equal(expected, status);
        var submitted = Assert.Single(_gateway.Events);
        Assert.Equal((null, "onboarding", "4711"), (submitted.InstanceId, submitted.Workflow, submitted.BusinessKey));
        Assert.Equal(new HumanEvent("kickoff", HumanEventType.Done, "person-7", "closed in Jira") { EventId = "jira-ISSUE-12.closed" }, submitted.Event);
    }

    [Theory]
    [InlineData("blocked", HumanEventType.Blocked, "approve")]
    [InlineData("unblocked", HumanEventType.Decide, null)]
    [InlineData("decision", HumanEventType.Decide, "approve")]
    [InlineData("reassign", HumanEventType.Reassign, "approve")]
    public async Task Post_StepEventTypes_BecomeTheHumanEvent(string type, HumanEventType kind, string? option)
    {
        var (status, _) = await PostAsync(Event("e-" + type, CoordinatorCloudEvents.StepEvent,
            new { instanceId = "onboarding.4711", step = "legal", type, by = "person-7", reason = "waiting for the customer", option = "approve", to = "person-9" }));

        Assert.Equal(HttpStatusCode.OK, status);
        var submitted = Assert.Single(_gateway.Events);
        Assert.Equal("onboarding.4711", submitted.InstanceId);
        Assert.Equal(kind, submitted.Event.Type);
        Assert.Equal(option, submitted.Event.Option);
        Assert.Equal(("waiting for the customer", "person-9"), (submitted.Event.Reason, submitted.Event.To));
    }

    [Fact]
    public async Task Post_UnknownType_400NamingBothTypes()
    {
        var (status, problem) = await PostAsync(Event("e-1", "com.coordinator.instance.stop", new { workflow = "onboarding" }));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(CoordinatorCloudEvents.InstanceStart, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(CoordinatorCloudEvents.StepEvent, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(_gateway.Starts);
    }

    [Theory]
    [InlineData("""{"specversion":"0.3","id":"1","source":"s","type":"com.coordinator.instance.start","data":{}}""", "specversion")]
    [InlineData("""{"specversion":"1.0","source":"s","type":"com.coordinator.instance.start","data":{}}""", "id")]
    [InlineData("""{"specversion":"1.0","id":"1","type":"com.coordinator.instance.start","data":{}}""", "source")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"s","type":"com.coordinator.instance.start","data":{"workflow":"w","bussinessKey":"k"}}""", "data.bussinessKey")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"s","type":"com.coordinator.step.event","data":{"instanceId":"i","step":"s","type":"blocked","by":"p"}}""", "data.reason")]
    public async Task Post_NotACoordinatorCloudEvent_400NamingTheField(string body, string field)
    {
        var (status, problem) = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Empty(_gateway.Starts);
        Assert.Empty(_gateway.Events);
    }

    [Theory]
    [InlineData("unsigned")]
    [InlineData("changed byte")]
    [InlineData("stale")]
    [InlineData("wrong secret")]
    public async Task Post_NotSignedWithTheSecret_401NothingDoneADenyRow(string how)
    {
        var body = Event("ticket-981", CoordinatorCloudEvents.InstanceStart, new { workflow = "onboarding", businessKey = "secret-business-key" });
        Action<HttpRequestMessage, byte[]> sign = how switch
        {
            "unsigned" => (_, _) => { },
            "changed byte" => Sign(_key, DateTimeOffset.UtcNow, b => { var c = (byte[])b.Clone(); c[^5] ^= 1; return c; }),
            "stale" => Sign(_key, DateTimeOffset.UtcNow.AddMinutes(-6)),
            _ => Sign(StandardWebhooks.ParseSecret(RelayHarness.OnboardingSecret)!, DateTimeOffset.UtcNow),
        };

        var (status, _) = await PostAsync(body, sign);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Empty(_gateway.Starts);
        var row = Assert.Single(_audit.Entries);
        Assert.Equal(("webhook.denied", AuditVerdict.Deny, "events"), (row.Action, row.Verdict, row.WorkflowId));
        Assert.Equal("events", row.Detail!.Value.GetProperty("source").GetString());
        Assert.DoesNotContain("secret-business-key", row.Detail.Value.GetRawText(), StringComparison.Ordinal);
    }
}
