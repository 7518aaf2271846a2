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
using Xunit.Abstractions;

namespace Coordinator.Hosting.Tests.Channels;

/// <summary>
/// <c>coordinator serve</c> as a separate process, on real Azurite and PostgreSQL, with the Slack channel pointed at a
/// loopback Slack: the owner of the first step (on Slack in the sample directory) gets the task there, answers "done"
/// in its thread with a signed Events API request, and the step is done, once, however often Slack delivers the reply.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class SlackEndToEndTests(ThrowawayAzurite azurite, PostgresFixture postgres, ITestOutputHelper output)
{
    private const string SigningSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string SalesLead = "U05SALES1D"; // sales.lead in workflow-definitions/people.yaml
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>A request to the Slack webhook signed as Slack signs it (v0), with the signing secret of these tests unless told.</summary>
    internal static HttpRequestMessage Signed(string body, string contentType = "application/json", string? secret = null, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret ?? SigningSecret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}")));
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/slack") { Content = new StringContent(body, Encoding.UTF8, contentType) };
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", signature);
        return request;
    }

    /// <summary>Waits for the loopback Slack to receive a matching message.</summary>
    private static async Task<SlackPost> PostAsync(CoordinatorDeployment deployment, LoopbackSlack slack, Func<SlackPost, bool> match, string what)
    {
        SlackPost? found = null;
        await deployment.WaitForAsync(() => Task.FromResult((found = slack.Posts.FirstOrDefault(match)) is null ? (bool?)null : true), Patience, what);
        return found!;
    }

    [Fact]
    public async Task Serve_StepOwnerOnSlack_GetsTheTaskAndFinishesItByReplyingInItsThreadOnce()
    {
        await using var slack = await LoopbackSlack.StartAsync();
        await using var deployment = await CoordinatorDeployment.CreateAsync(azurite, postgres, timeScale: 1);
        deployment.ExtraEnvironment["Coordinator__Channels__Slack__BotToken"] = slack.BotToken;
        deployment.ExtraEnvironment["Coordinator__Channels__Slack__SigningSecret"] = SigningSecret;
        deployment.ExtraEnvironment["Coordinator__Channels__Slack__ApiBaseUrl"] = slack.ApiBaseUrl.ToString();
        deployment.ExtraEnvironment["Coordinator__Channels__Dispatch__PollInterval"] = "00:00:00.200";
        var serve = await deployment.StartAsync();
        Assert.Contains(serve.Output, line => line.Contains("chat channels: slack", StringComparison.Ordinal));

        using var start = await deployment.Http.PostAsJsonAsync("/api/workflows/b2b-onboarding/instances", new
        {
            businessKey = "D-SLACK-1",
            context = new { deal_id = "D-SLACK-1", deal_owner = "sales.lead", segment = "enterprise" },
        });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var instanceId = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString()!;

        // The task reaches the owner on Slack.
        var task = await PostAsync(deployment, slack, p => p.Channel == SalesLead, "the contract task on the sales lead's Slack");
        output.WriteLine(task.Text);
        Assert.StartsWith("*New task: ", task.Text, StringComparison.Ordinal);
        Assert.Contains("D-SLACK-1", task.Text, StringComparison.Ordinal);
        Assert.Equal(0, slack.WireErrors);

        // A forged request: refused, nothing raised, a DENY row.
        var reply = JsonSerializer.Serialize(new
        {
            type = "event_callback",
            event_id = "Ev0SLACKDONE1",
            @event = new { type = "message", channel_type = "im", user = SalesLead, text = "done", channel = "D" + SalesLead, thread_ts = task.Ts, ts = "1.2" },
        });
        using (var forged = await deployment.Http.SendAsync(Signed(reply, secret: "not-the-secret")))
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        using (var stale = await deployment.Http.SendAsync(Signed(reply, at: DateTimeOffset.UtcNow.AddMinutes(-6))))
            Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);

        // The reply, and Slack's retry of it.
        using (var first = await deployment.Http.SendAsync(Signed(reply)))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var retry = Signed(reply);
        retry.Headers.Add("X-Slack-Retry-Num", "1");
        retry.Headers.Add("X-Slack-Retry-Reason", "http_timeout");
        using (var second = await deployment.Http.SendAsync(retry))
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        await deployment.WaitForAsync(
            async () => CoordinatorDeployment.StepStatus(await deployment.GetInstanceAsync(instanceId), "contract") == "done" ? true : (bool?)null,
            Patience, "the contract step to be done");
        var ack = await PostAsync(deployment, slack, p => p.Text.StartsWith("✓", StringComparison.Ordinal), "the acknowledgement in the thread");
        Assert.Contains(": done. Thank you!", ack.Text, StringComparison.Ordinal);
        Assert.Equal("D" + SalesLead, ack.Channel);

        // Once: one completion in the audit, one acknowledgement, and the two refusals recorded without their bodies.
        var rows = await deployment.AuditRowsAsync(instanceId);
        Assert.Single(rows, r => r.Action == "step.completed" && r.StepId == "contract");
        await using var connection = await deployment.Database.OpenConnectionAsync();
        var denied = (await connection.QueryAsync<string>(
            "SELECT detail::text FROM audit_log WHERE action = 'webhook.denied' AND verdict = 'DENY' AND instance_id = 'channel:slack' ORDER BY seq")).ToList();
        Assert.Equal(2, denied.Count);
        Assert.Contains("does not match", denied[0], StringComparison.Ordinal);
        Assert.Contains("timestamp", denied[1], StringComparison.Ordinal);
        Assert.All(denied, d => Assert.DoesNotContain("Ev0SLACKDONE1", d, StringComparison.Ordinal));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM channel_inbound WHERE delivery_id = 'Ev0SLACKDONE1' AND status = 'done'"));
        Assert.Single(slack.Posts, p => p.Text.StartsWith("✓", StringComparison.Ordinal));
        var (exitCode, verify) = await deployment.RunAuditVerifyAsync(TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, verify);
    }
}
