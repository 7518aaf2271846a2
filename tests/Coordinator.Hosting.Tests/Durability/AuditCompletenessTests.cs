using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coordinator.Hosting.Tests.Support;
using Coordinator.Testing;
using Xunit.Abstractions;

namespace Coordinator.Hosting.Tests.Durability;

/// <summary>Issue 5: a whole instance run through <c>coordinator serve</c> on PostgreSQL leaves every audit row exactly once.</summary>
[Collection(DurabilityCollection.Name)]
public sealed class AuditCompletenessTests(ThrowawayAzurite azurite, PostgresFixture postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task OnboardingRunWithBlockAndDecision_Completed_EveryAuditRowPresentExactlyOnce()
    {
        var clock = Stopwatch.StartNew();
        await using var deployment = await CoordinatorDeployment.CreateAsync(azurite, postgres, timeScale: 86_400);
        await deployment.StartAsync();
        var instanceId = await deployment.StartOnboardingAsync("D-9002");

        var final = await deployment.DriveToCompletionAsync(instanceId, blockItSetup: true, TimeSpan.FromMinutes(4));

        await DurabilityAssertions.AssertCompletedWithEveryAuditRowOnceAsync(deployment, instanceId, final);
        await DurabilityAssertions.AssertEveryNotificationDeliveredOnceAsync(deployment, instanceId);
        var rows = await deployment.AuditRowsAsync(instanceId);
        Assert.Contains(rows, r => r.Action == "decision.made" && r.StepId == "it-setup");

        // What an auditor downloads through the API is exactly those rows, in order, as JSON and as CSV.
        var json = await deployment.Http.GetFromJsonAsync<JsonElement>($"/api/audit?instanceId={Uri.EscapeDataString(instanceId)}");
        Assert.Equal(rows.Select(r => (r.Seq, r.Action, r.IdempotencyKey)),
            json.EnumerateArray().Select(r => (r.GetProperty("seq").GetInt64(), r.GetProperty("action").GetString()!, r.GetProperty("idempotency_key").GetString()!)));
        using (var csv = await deployment.Http.GetAsync("/api/audit?businessKey=D-9002&format=csv"))
        {
            Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
            var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("seq,at,instance_id,", lines[0], StringComparison.Ordinal);
            Assert.Equal(rows.Select(r => r.Seq.ToString(CultureInfo.InvariantCulture)), lines.Skip(1).Select(l => l[..l.IndexOf(',', StringComparison.Ordinal)]));
        }
        using (var badFormat = await deployment.Http.GetAsync($"/api/audit?instanceId={Uri.EscapeDataString(instanceId)}&format=xml"))
            Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
        output.WriteLine($"{rows.Count} audit rows, {(await deployment.Inbox.OfInstanceAsync(instanceId)).Count} notifications; {clock.Elapsed.TotalSeconds:F1} s");
    }
}
