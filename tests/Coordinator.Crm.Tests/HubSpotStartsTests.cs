using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Coordinator.Crm.HubSpot;
using Coordinator.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coordinator.Crm.Tests;

/// <summary>The webhook on Kestrel (signed as HubSpot signs) and the start worker, with a gateway that records what the core was asked.</summary>
[Collection(CrmPostgresCollection.Name)]
public sealed class HubSpotStartsTests(CrmPostgres postgres)
{
    private sealed class RecordingGateway : IWorkGateway
    {
        public ConcurrentQueue<(string Workflow, string? BusinessKey, IReadOnlyDictionary<string, string> Context)> Starts { get; } = new();

        public Task<GatewayStart> StartAsync(string workflowId, string? businessKey, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken = default)
        {
            var existed = Starts.Any(s => s.Workflow == workflowId && s.BusinessKey == businessKey);
            Starts.Enqueue((workflowId, businessKey, context));
            return Task.FromResult(new GatewayStart($"{workflowId}.{businessKey}", existed, null));
        }

        public Task<GatewayEvent> SubmitAsync(string? instanceId, string? workflowId, string? businessKey, HumanEvent humanEvent, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }

    private static string Body(long eventId, string deal = Updates.Deal, string value = "closedwon") => JsonSerializer.Serialize(new[]
    {
        new { eventId, subscriptionId = 25, portalId = 7001, appId = 1160452, occurredAt = 1764579600000, subscriptionType = "deal.propertyChange",
              attemptNumber = 0, objectId = long.Parse(deal, CultureInfo.InvariantCulture), propertyName = "dealstage", propertyValue = value, changeSource = "CRM_UI" },
    });

    private static HttpRequestMessage Signed(string body, string secret = HubSpotHarness.ClientSecret, DateTimeOffset? at = null, Func<string, string>? tamper = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes("POST" + HubSpotHarness.PublicBase + HubSpotWebhook.Route + body + timestamp)));
        var request = new HttpRequestMessage(HttpMethod.Post, HubSpotWebhook.Route) { Content = new StringContent(tamper?.Invoke(body) ?? body, Encoding.UTF8, "application/json") };
        request.Headers.Add(HubSpotWebhook.SignatureHeader, signature);
        request.Headers.Add(HubSpotWebhook.TimestampHeader, timestamp);
        return request;
    }

    /// <summary>The webhook on a loopback Kestrel with the harness's services.</summary>
    private static async Task<(WebApplication App, HttpClient Client)> HostAsync(HubSpotHarness harness)
    {
        var port = ThrowawayAzurite.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Services.AddSingleton<IServiceProvider>(harness.Services);
        var app = builder.Build();
        app.MapPost(HubSpotWebhook.Route, (HttpContext context, CancellationToken cancellationToken) =>
        {
            context.RequestServices = harness.Services;
            return HubSpotWebhook.HandleAsync(context.Request, cancellationToken);
        });
        await app.StartAsync();
        return (app, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}") });
    }

    private static async Task<long> StartRequestsAsync(HubSpotHarness harness)
    {
        await using var connection = await harness.Database.OpenConnectionAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM crm_starts", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Webhook_SignedClosedWonDeliveredTwiceAndAgainLater_StartsOneInstanceWithTheContextReadFromTheDeal()
    {
        await using var harness = await HubSpotHarness.StartAsync(postgres);
        var (app, client) = await HostAsync(harness);
        await using var _ = app;
        var gateway = new RecordingGateway();

        foreach (var eventId in new long[] { 101, 101, 102 })
        {
            using var response = await client.SendAsync(Signed(Body(eventId)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        while (await harness.Starts.RunOnceAsync(gateway, 16, CancellationToken.None) > 0)
        {
        }

        Assert.Equal(2, await StartRequestsAsync(harness));
        Assert.Equal(2, gateway.Starts.Count); // the second (a later event of the same deal) finds the instance: the core answers "existed"
        Assert.All(gateway.Starts, s => Assert.Equal(("b2b-onboarding", (string?)Updates.Deal), (s.Workflow, s.BusinessKey)));
        var context = gateway.Starts.First().Context;
        Assert.Equal(new Dictionary<string, string> { ["deal_id"] = Updates.Deal, ["deal_owner"] = "sales.lead", ["segment"] = "enterprise" }, context);
        Assert.Empty(await harness.AuditAsync("crm.start_refused"));
    }

    public static TheoryData<string, Func<string, string>?, string, DateTimeOffset?, bool> Forgeries => new()
    {
        { "a changed byte", b => b.Replace("closedwon", "closedwoN", StringComparison.Ordinal), HubSpotHarness.ClientSecret, null, true },
        { "a stale timestamp", null, HubSpotHarness.ClientSecret, DateTimeOffset.UtcNow.AddMinutes(-6), true },
        { "the wrong secret", null, "another-apps-secret", null, true },
        { "no signature", null, HubSpotHarness.ClientSecret, null, false },
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task Webhook_NotSignedByHubSpot_401NothingKeptADenyRow(string what, Func<string, string>? tamper, string secret, DateTimeOffset? at, bool signed)
    {
        await using var harness = await HubSpotHarness.StartAsync(postgres);
        var (app, client) = await HostAsync(harness);
        await using var _ = app;
        using var request = Signed(Body(201), secret, at, tamper);
        if (!signed)
            request.Headers.Remove(HubSpotWebhook.SignatureHeader);

        using var response = await client.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, what);
        Assert.Equal(0, await StartRequestsAsync(harness));
        var denied = Assert.Single(await harness.AuditAsync("webhook.denied"));
        Assert.Equal(("crm:hubspot", "DENY"), (denied.InstanceId, denied.Verdict));
        Assert.DoesNotContain("closedwon", denied.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starts_DealOwnerNobodyInTheDirectory_RefusedWithAReasonAndNothingStarted()
    {
        await using var harness = await HubSpotHarness.StartAsync(postgres);
        harness.HubSpot.PutObject("deals", "4800", new Dictionary<string, string?> { ["dealstage"] = "closedwon", ["hubspot_owner_id"] = "99999", ["customer_segment"] = "smb" });
        var (app, client) = await HostAsync(harness);
        await using var _ = app;
        var gateway = new RecordingGateway();

        using (var response = await client.SendAsync(Signed(Body(301, deal: "4800"))))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await harness.Starts.RunOnceAsync(gateway, 16, CancellationToken.None);

        Assert.Empty(gateway.Starts);
        var refused = Assert.Single(await harness.AuditAsync("crm.start_refused"));
        Assert.Equal("WARN", refused.Verdict);
        var reason = JsonDocument.Parse(refused.Detail).RootElement.GetProperty("reason").GetString()!;
        Assert.Contains("the HubSpot owner 99999", reason, StringComparison.Ordinal);
        Assert.Contains("hubspot_owner: \"99999\"", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starts_DealMovedOnBeforeTheWorkerReadIt_StartsNothing()
    {
        await using var harness = await HubSpotHarness.StartAsync(postgres);
        harness.HubSpot.PutObject("deals", "4801", new Dictionary<string, string?> { ["dealstage"] = "contractsent", ["hubspot_owner_id"] = "71377" });
        var (app, client) = await HostAsync(harness);
        await using var _ = app;
        var gateway = new RecordingGateway();

        using (var response = await client.SendAsync(Signed(Body(401, deal: "4801"))))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await harness.Starts.RunOnceAsync(gateway, 16, CancellationToken.None));

        Assert.Empty(gateway.Starts);
        Assert.Empty(await harness.AuditAsync("crm.start_refused"));
    }

    [Fact]
    public async Task Setup_RunTwice_CreatesTheGroupAndTheMissingPropertiesOnceTheStatusAsAnEnumerationOfTheSixStandings()
    {
        await using var harness = await HubSpotHarness.StartAsync(postgres);
        var fresh = await Coordinator.Testing.Loopback.LoopbackHubSpot.StartAsync();
        await using var __ = fresh;
        var client = new HubSpotClient(harness.Services.GetRequiredService<IHttpClientFactory>(),
            Microsoft.Extensions.Options.Options.Create(new HubSpotOptions { AccessToken = fresh.AccessToken, ApiBaseUrl = fresh.ApiBaseUrl }));

        var first = await new HubSpotPropertySetup(client).RunAsync([HubSpotHarness.Onboarding], _ => { }, CancellationToken.None);
        var second = await new HubSpotPropertySetup(client).RunAsync([HubSpotHarness.Onboarding], _ => { }, CancellationToken.None);

        Assert.Equal(6, first.Count(s => s.Created));
        Assert.DoesNotContain(second, s => s.Created);
        Assert.Equal(["deals/coordinator_current_steps", "deals/coordinator_escalation_level", "deals/coordinator_instance_url", "deals/coordinator_next_due", "deals/coordinator_status"], fresh.CreatedProperties.Order());
        var status = fresh.CreatedProperty("deals", "coordinator_status")!;
        Assert.Equal(("enumeration", "select", "coordinator"), (status["type"]!.ToString(), status["fieldType"]!.ToString(), status["groupName"]!.ToString()));
        Assert.Equal(InstanceHealths.All.Select(h => h.WireName()), status["options"]!.AsArray().Select(o => o!["value"]!.ToString()));
        Assert.Equal(0, fresh.WireErrors);
    }
}
