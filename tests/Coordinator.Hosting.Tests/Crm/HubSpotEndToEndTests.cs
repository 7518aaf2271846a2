using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coordinator.Hosting.Tests.Durability;
using Coordinator.Hosting.Tests.Support;
using Coordinator.Testing;
using Coordinator.Testing.Loopback;
using Dapper;

namespace Coordinator.Hosting.Tests.Crm;

/// <summary>
/// The seed's example on <c>coordinator serve</c> (a separate process, real Azurite and PostgreSQL) and a loopback HubSpot
/// that checks the wire format: the deal reaches closed won, HubSpot delivers the event (twice, and the deal reaches the
/// stage again later), one onboarding starts with its context read from the deal; from then on the deal shows where it
/// stands after every change, its timeline gets one note for the block and one for the decision, and a HubSpot outage
/// delays the deal, never the instance.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class HubSpotEndToEndTests(ThrowawayAzurite azurite, PostgresFixture postgres)
{
    private const string ClientSecret = "hubspot-client-secret-0b7c";
    private const string Deal = "4711";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>A webhook request signed as HubSpot signs it (v3: Base64 HMAC-SHA256 over method + URL + body + timestamp).</summary>
    internal static HttpRequestMessage Signed(string publicBase, string body, string secret = ClientSecret, DateTimeOffset? at = null)
    {
        var uri = publicBase.TrimEnd('/') + "/api/webhooks/hubspot";
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes("POST" + uri + body + timestamp)));
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/hubspot") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-HubSpot-Signature-v3", signature);
        request.Headers.Add("X-HubSpot-Request-Timestamp", timestamp);
        return request;
    }

    private static string StageEvent(long eventId, string deal = Deal) => JsonSerializer.Serialize(new[]
    {
        new
        {
            eventId, subscriptionId = 25, portalId = 7001, appId = 1160452, occurredAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            subscriptionType = "deal.propertyChange", attemptNumber = 0, objectId = long.Parse(deal, CultureInfo.InvariantCulture),
            propertyName = "dealstage", propertyValue = "closedwon", changeSource = "CRM_UI",
        },
    });

    [Fact]
    public async Task Serve_DealReachesClosedWon_StartsItsOnboardingOnceAndTheDealAlwaysShowsWhereItStands()
    {
        await using var hubspot = await LoopbackHubSpot.StartAsync();
        hubspot.PutObject("deals", Deal, new Dictionary<string, string?>
        {
            ["dealname"] = "ACME Corp onboarding", ["dealstage"] = "closedwon", ["pipeline"] = "default",
            ["hubspot_owner_id"] = "71377", ["customer_segment"] = "enterprise",
        });
        await using var deployment = await CoordinatorDeployment.CreateAsync(azurite, postgres, timeScale: 1);
        var publicBase = deployment.Http.BaseAddress!.ToString().TrimEnd('/');
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["Coordinator__PublicBaseUrl"] = publicBase,
            ["Coordinator__Crm__HubSpot__AccessToken"] = hubspot.AccessToken,
            ["Coordinator__Crm__HubSpot__ClientSecret"] = ClientSecret,
            ["Coordinator__Crm__HubSpot__ApiBaseUrl"] = hubspot.ApiBaseUrl.ToString(),
            ["Coordinator__Crm__HubSpot__PollInterval"] = "00:00:00.200",
        })
            deployment.ExtraEnvironment[name] = value;

        // The properties first, as an operator does: coordinator crm setup (the CLI, a separate process).
        var (exit, setup) = await RunCliAsync(deployment, TimeSpan.FromSeconds(60), "crm", "setup", "--definitions", RepositoryPaths.Definitions);
        Assert.True(exit == 0, setup);
        Assert.Contains("deals: property coordinator_status: created", setup, StringComparison.Ordinal);
        var serve = await deployment.StartAsync();
        Assert.Contains(serve.Output, line => line.Contains("integrations: hubspot", StringComparison.Ordinal));

        // A forged request changes nothing; the real one is delivered twice, and the deal reaches the stage again later.
        using (var forged = await deployment.Http.SendAsync(Signed(publicBase, StageEvent(9001), secret: "not-the-secret")))
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        foreach (var eventId in new long[] { 9002, 9002, 9003 })
        {
            using var response = await deployment.Http.SendAsync(Signed(publicBase, StageEvent(eventId)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var instanceId = "b2b-onboarding." + Deal;
        var started = await deployment.WaitForAsync(async () =>
        {
            using var response = await deployment.Http.GetAsync($"/api/instances/{instanceId}");
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : (JsonElement?)null;
        }, Patience, "the onboarding to start from the deal");
        Assert.Equal("sales.lead", started.GetProperty("context").GetProperty("deal_owner").GetString());
        Assert.Equal("enterprise", started.GetProperty("context").GetProperty("segment").GetString());
        Assert.Equal(2, started.GetProperty("workflowVersion").GetInt32());

        async Task DealShowsAsync(string status, string step) => await deployment.WaitForAsync(
            () => Task.FromResult(hubspot.Properties("deals", Deal) is { } p && p.GetValueOrDefault("coordinator_status") == status
                && (p.GetValueOrDefault("coordinator_current_steps") ?? "").Contains(step, StringComparison.Ordinal) ? true : (bool?)null),
            Patience, $"the deal to show {status} with {step}");
        // An event sent while the instance finishes its first turn is answered 503 "starting": sent again, as a client does.
        async Task EventAsync(string step, object body) => await deployment.WaitForAsync(async () =>
        {
            using var response = await deployment.Http.PostAsJsonAsync($"/api/instances/{instanceId}/steps/{step}/events?wait=30", body);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                return (bool?)null;
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{step}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return true;
        }, Patience, $"{step} to take the event", TimeSpan.FromMilliseconds(250));

        await DealShowsAsync("on-track", "Countersigned contract");
        Assert.Equal($"{publicBase}/inbox/instances/{instanceId}", hubspot.Properties("deals", Deal)!["coordinator_instance_url"]);
        await EventAsync("contract", new { type = "done", by = "sales.lead" });
        await EventAsync("billing-setup", new { type = "done", by = "billing.specialist" });
        await DealShowsAsync("on-track", "IT environment set-up");

        // The IT set-up is blocked, and the IT lead decides: the deal says so, and its timeline gets one note for each.
        await EventAsync("it-setup", new { type = "blocked", by = "it.engineer", reason = "customer undecided between Okta and Entra" });
        await DealShowsAsync("blocked", "IT environment set-up");
        await EventAsync("it-setup", new { type = "decide", by = "it.lead", option = "temporary-accounts" });
        await deployment.WaitForAsync(() => Task.FromResult(hubspot.Notes.Count >= 2 ? true : (bool?)null), Patience, "the block's and the decision's notes");

        // HubSpot goes down: the instance goes on; the deal catches up when HubSpot is back.
        hubspot.Down = true;
        var before = hubspot.Requests;
        await EventAsync("legal-review", new { type = "done", by = "legal.counsel" });
        Assert.Equal("done", CoordinatorDeployment.StepStatus(await deployment.GetInstanceAsync(instanceId), "legal-review"));
        await deployment.WaitForAsync(() => Task.FromResult(hubspot.Requests > before ? true : (bool?)null), Patience, "HubSpot to be tried while down");
        Assert.Contains("Data processing agreement", hubspot.Properties("deals", Deal)!["coordinator_current_steps"], StringComparison.Ordinal);
        hubspot.Down = false;
        await deployment.WaitForAsync(
            () => Task.FromResult(hubspot.Properties("deals", Deal)!["coordinator_current_steps"] is { } steps && !steps.Contains("Data processing agreement", StringComparison.Ordinal) ? true : (bool?)null),
            Patience, "the deal to catch up after the outage");

        // One instance, one note per action, nothing on the wire that HubSpot would refuse.
        var notes = hubspot.Notes.ToList();
        Assert.Equal(2, notes.Count);
        Assert.Contains("customer undecided between Okta and Entra", notes[0].Body, StringComparison.Ordinal);
        Assert.Contains("temporary-accounts", notes[1].Body, StringComparison.Ordinal);
        Assert.All(notes, n => Assert.Equal(("deals", Deal), (n.ObjectType, n.ObjectId)));
        Assert.Equal(0, hubspot.WireErrors);
        await using var connection = await deployment.Database.OpenConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'instance.started' AND business_key = @Deal", new { Deal }));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'webhook.denied' AND instance_id = 'crm:hubspot'"));
        var (verified, report) = await deployment.RunAuditVerifyAsync(TimeSpan.FromSeconds(60));
        Assert.True(verified == 0, report);
    }

    /// <summary>Runs the built CLI with the deployment's environment; answers its exit code and output.</summary>
    private static async Task<(int ExitCode, string Output)> RunCliAsync(CoordinatorDeployment deployment, TimeSpan timeout, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = deployment.Folder,
        };
        start.ArgumentList.Add(ServeProcess.CliPath);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in deployment.ExtraEnvironment)
            start.Environment[name] = value;
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("Could not start the coordinator CLI.");
        using var cts = new CancellationTokenSource(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }
}
