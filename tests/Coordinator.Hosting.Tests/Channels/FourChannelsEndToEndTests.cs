using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordinator.Hosting.Tests.Durability;
using Coordinator.Hosting.Tests.Support;
using Coordinator.Testing;
using Coordinator.Testing.Loopback;
using Dapper;
using Xunit.Abstractions;

namespace Coordinator.Hosting.Tests.Channels;

/// <summary>
/// The B2B onboarding on <c>coordinator serve</c> (a separate process, real Azurite and PostgreSQL) with its owners on
/// four chat channels, each a loopback provider that checks its wire format: the sales lead finishes the contract on
/// Slack, legal counsel the review on Teams, the billing specialist the billing set-up with a Telegram button, the IT
/// engineer reports the IT set-up blocked in Italian on WhatsApp, the IT lead picks an alternative with a Teams card
/// button, and the engineer finishes on WhatsApp. Every reply is authenticated as its provider does it, takes effect
/// once (the providers' redeliveries included), is acknowledged in its conversation, and the audit chain verifies.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class FourChannelsEndToEndTests(ThrowawayAzurite azurite, PostgresFixture postgres, ITestOutputHelper output)
{
    private const string SlackSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string TelegramSecret = "coordinator-telegram-secret_42";
    private const string SalesLead = "U05SALES1D";
    private const string LegalConversation = "a:1legalCounselPersonalChat";
    private const string ItLeadConversation = "a:1itLeadPersonalChat";
    private const long BillingChat = 123456789;
    private const string ItEngineer = "+393489876543";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static string People(Uri teamsService) => $$"""
        schema: coordinator/people-v1
        people:
          csm.lead: { name: Giulia Conti, channel: slack, slack: U04CSM1EAD, language: it, time_zone: Europe/Rome }
          cs.director: { name: Laura Bassi, language: it, time_zone: Europe/Rome }
          sales.lead: { name: Tom Becker, channel: slack, slack: {{SalesLead}}, hubspot_owner: "71203", time_zone: Europe/Berlin }
          legal.counsel:
            name: Chiara Ricci
            channel: teams
            teams: { conversation: "{{LegalConversation}}", service_url: "{{teamsService}}" }
            language: it
            time_zone: Europe/Rome
          legal.general-counsel: { name: Paolo Gatti, language: it, time_zone: Europe/Rome }
          billing.specialist: { name: Sara Lombardi, channel: telegram, telegram: {{BillingChat}}, language: it, time_zone: Europe/Rome }
          finance.lead: { name: Andrea Moretti, language: it, time_zone: Europe/Rome }
          it.engineer: { name: Marco Ferri, channel: whatsapp, whatsapp: "{{ItEngineer}}", language: it, time_zone: Europe/Rome }
          it.lead:
            name: Elena Marino
            channel: teams
            teams: { conversation: "{{ItLeadConversation}}", service_url: "{{teamsService}}" }
            language: it
            time_zone: Europe/Rome
        """;

    [Fact]
    public async Task Serve_OnboardingOwnersOnFourChannels_FinishTheirStepsThroughThem()
    {
        await using var slack = await LoopbackSlack.StartAsync();
        await using var teams = await LoopbackTeams.StartAsync();
        await using var telegram = await LoopbackTelegram.StartAsync();
        await using var twilio = await LoopbackTwilio.StartAsync();
        await using var deployment = await CoordinatorDeployment.CreateAsync(azurite, postgres, timeScale: 1);
        var definitions = Directory.CreateDirectory(Path.Combine(deployment.Folder, "definitions")).FullName;
        File.Copy(Path.Combine(RepositoryPaths.Definitions, "b2b-onboarding.yaml"), Path.Combine(definitions, "b2b-onboarding.yaml"));
        await File.WriteAllTextAsync(Path.Combine(definitions, "people.yaml"), People(teams.ServiceUrl));
        deployment.DefinitionsFolder = definitions;
        var publicBase = deployment.Http.BaseAddress!.ToString().TrimEnd('/');
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["Coordinator__PublicBaseUrl"] = publicBase,
            ["Coordinator__Channels__Dispatch__PollInterval"] = "00:00:00.200",
            ["Coordinator__Channels__Slack__BotToken"] = slack.BotToken,
            ["Coordinator__Channels__Slack__SigningSecret"] = SlackSecret,
            ["Coordinator__Channels__Slack__ApiBaseUrl"] = slack.ApiBaseUrl.ToString(),
            ["Coordinator__Channels__Teams__AppId"] = teams.AppId,
            ["Coordinator__Channels__Teams__AppPassword"] = teams.AppPassword,
            ["Coordinator__Channels__Teams__TokenEndpoint"] = teams.TokenEndpoint.ToString(),
            ["Coordinator__Channels__Teams__OpenIdMetadataUrl"] = teams.OpenIdMetadataUrl.ToString(),
            ["Coordinator__Channels__Telegram__BotToken"] = telegram.BotToken,
            ["Coordinator__Channels__Telegram__WebhookSecret"] = TelegramSecret,
            ["Coordinator__Channels__Telegram__ApiBaseUrl"] = telegram.ApiBaseUrl.ToString(),
            ["Coordinator__Channels__WhatsApp__AccountSid"] = twilio.AccountSid,
            ["Coordinator__Channels__WhatsApp__AuthToken"] = twilio.AuthToken,
            ["Coordinator__Channels__WhatsApp__From"] = twilio.From,
            ["Coordinator__Channels__WhatsApp__ApiBaseUrl"] = twilio.ApiBaseUrl.ToString(),
        })
            deployment.ExtraEnvironment[name] = value;
        var serve = await deployment.StartAsync();
        Assert.Contains(serve.Output, line => line.Contains("chat channels: slack, teams, whatsapp, telegram", StringComparison.Ordinal));

        using var start = await deployment.Http.PostAsJsonAsync("/api/workflows/b2b-onboarding/instances", new
        {
            businessKey = "D-4CH-1",
            context = new { deal_id = "D-4CH-1", deal_owner = "sales.lead", segment = "enterprise" },
        });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var instanceId = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString()!;
        async Task StepAsync(string step, string status) => await deployment.WaitForAsync(
            async () => CoordinatorDeployment.StepStatus(await deployment.GetInstanceAsync(instanceId), step) == status ? true : (bool?)null,
            Patience, $"{step} to be {status}");
        async Task<T> ArrivesAsync<T>(Func<T?> find, string what) where T : class
        {
            T? found = null;
            await deployment.WaitForAsync(() => Task.FromResult((found = find()) is null ? (bool?)null : true), Patience, what);
            return found!;
        }

        // Slack: the sales lead replies "done" in the task's thread (and Slack delivers it twice).
        var contract = await ArrivesAsync(() => slack.Posts.FirstOrDefault(p => p.Channel == SalesLead), "the contract task on Slack");
        var slackReply = JsonSerializer.Serialize(new
        {
            type = "event_callback",
            event_id = "Ev4CHCONTRACT",
            @event = new { type = "message", channel_type = "im", user = SalesLead, text = "done", channel = "D" + SalesLead, thread_ts = contract.Ts, ts = "2.1" },
        });
        for (var delivery = 0; delivery < 2; delivery++)
        {
            using var response = await deployment.Http.SendAsync(SlackEndToEndTests.Signed(slackReply, secret: SlackSecret));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await StepAsync("contract", "done");

        // Teams: legal counsel answers the review's card with "fatto" (Teams retries the activity once).
        var review = await ArrivesAsync(() => teams.Activities.FirstOrDefault(a => a.Conversation == LegalConversation), "the legal review on Teams");
        Assert.Contains("Data processing agreement", review.Card!.ToJsonString(), StringComparison.Ordinal);
        var legalReply = teams.Message(LegalConversation, "fatto", replyTo: review.Id, id: "1700000004001");
        for (var delivery = 0; delivery < 2; delivery++)
        {
            using var response = await deployment.Http.SendAsync(TeamsSigned(legalReply, teams.MintToken()));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using (var forged = await deployment.Http.SendAsync(TeamsSigned(legalReply, teams.MintToken(key: LoopbackTeams.UnknownKey()))))
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);

        // Telegram: the billing specialist presses "Fatto" under the billing task.
        var billing = await ArrivesAsync(() => telegram.Posts.FirstOrDefault(p => p.ChatId == BillingChat), "the billing task on Telegram");
        var done = billing.Keyboard!.SelectMany(row => row!.AsArray()).First()!;
        Assert.Equal("Fatto", done["text"]!.GetValue<string>());
        var press = new JsonObject
        {
            ["update_id"] = 40001,
            ["callback_query"] = new JsonObject
            {
                ["id"] = "4382bfdwdsb323b2d9",
                ["from"] = new JsonObject { ["id"] = BillingChat, ["is_bot"] = false, ["first_name"] = "Sara" },
                ["message"] = new JsonObject
                {
                    ["message_id"] = billing.MessageId,
                    ["chat"] = new JsonObject { ["id"] = BillingChat, ["type"] = "private" },
                    ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                    ["text"] = billing.Text,
                },
                ["chat_instance"] = "-5837216482",
                ["data"] = done["callback_data"]!.GetValue<string>(),
            },
        };
        using (var wrongSecret = await deployment.Http.SendAsync(TelegramSigned(press, "not-the-secret")))
            Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
        for (var delivery = 0; delivery < 2; delivery++)
        {
            using var response = await deployment.Http.SendAsync(TelegramSigned(press, TelegramSecret));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await StepAsync("legal-review", "done");
        await StepAsync("billing-setup", "done");

        // WhatsApp: the IT engineer reports the block in Italian (Twilio redelivers it once).
        await ArrivesAsync(() => twilio.Messages.FirstOrDefault(m => m.To == "whatsapp:" + ItEngineer), "the IT set-up on WhatsApp");
        var block = new Dictionary<string, string>
        {
            ["MessageSid"] = "SM4ch000000000000000000000000001",
            ["AccountSid"] = twilio.AccountSid,
            ["From"] = "whatsapp:" + ItEngineer,
            ["To"] = twilio.From,
            ["Body"] = "bloccato: il cliente non ha ancora scelto tra Okta ed Entra",
            ["NumMedia"] = "0",
        };
        for (var delivery = 0; delivery < 2; delivery++)
        {
            using var response = await deployment.Http.SendAsync(TwilioSigned(publicBase, block, twilio.AuthToken));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using (var tampered = await deployment.Http.SendAsync(TwilioSigned(publicBase, block, twilio.AuthToken, tamper: true)))
            Assert.True(tampered.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized, $"tampered Twilio request: {(int)tampered.StatusCode}");
        await StepAsync("it-setup", "blocked");

        // Teams: the IT lead picks "temporary accounts" on the decision card.
        var decision = await ArrivesAsync(() => teams.Activities.FirstOrDefault(a => a.Conversation == ItLeadConversation
            && a.Card?["actions"] is JsonArray actions && actions.Any(x => x!["title"]!.GetValue<string>().StartsWith("Start with local accounts", StringComparison.Ordinal))), "the decision card on Teams");
        var choice = decision.Card!["actions"]!.AsArray().First(x => x!["title"]!.GetValue<string>().StartsWith("Start with local accounts", StringComparison.Ordinal))!;
        var submit = teams.Submit(ItLeadConversation, decision.Id, choice["data"]!, id: "1700000004002");
        using (var response = await deployment.Http.SendAsync(TeamsSigned(submit, teams.MintToken())))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await deployment.WaitForAsync(
            async () => (await deployment.AuditRowsAsync(instanceId)).Any(r => r.Action == "decision.made") ? true : (bool?)null, Patience, "the IT lead's decision");

        // WhatsApp: the engineer finishes the IT set-up.
        var finished = new Dictionary<string, string>(block) { ["MessageSid"] = "SM4ch000000000000000000000000002", ["Body"] = "fatto" };
        using (var response = await deployment.Http.SendAsync(TwilioSigned(publicBase, finished, twilio.AuthToken)))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await StepAsync("it-setup", "done");

        // Each reply once; each acknowledged in its own conversation, in the person's language.
        var rows = await deployment.AuditRowsAsync(instanceId);
        foreach (var step in new[] { "contract", "legal-review", "billing-setup", "it-setup" })
            Assert.Single(rows, r => r.Action == "step.completed" && r.StepId == step);
        Assert.Single(rows, r => r.Action == "step.blocked" && r.StepId == "it-setup");
        Assert.Single(rows, r => r.Action == "decision.made");
        await ArrivesAsync(() => slack.Posts.FirstOrDefault(p => p.Text.StartsWith("✓", StringComparison.Ordinal) && p.Channel == "D" + SalesLead), "the Slack acknowledgement");
        await ArrivesAsync(() => teams.Activities.FirstOrDefault(a => a.ReplyTo == review.Id && a.Text.Contains("completata", StringComparison.Ordinal)), "the Teams acknowledgement in Italian");
        await ArrivesAsync(() => telegram.Posts.FirstOrDefault(p => p.ChatId == BillingChat && p.Text.Contains("completata", StringComparison.Ordinal)), "the Telegram acknowledgement");
        await ArrivesAsync(() => twilio.Messages.FirstOrDefault(m => m.To == "whatsapp:" + ItEngineer && (m.Body ?? "").Contains("Blocco segnalato", StringComparison.Ordinal)), "the WhatsApp acknowledgement of the block");
        await ArrivesAsync(() => teams.Activities.FirstOrDefault(a => a.ReplyTo == decision.Id && a.Text.Contains("scelta", StringComparison.Ordinal)), "the Teams acknowledgement of the choice");
        Assert.Single(slack.Posts, p => p.Text.StartsWith("✓", StringComparison.Ordinal));
        Assert.Single(teams.Activities, a => a.ReplyTo == review.Id);
        Assert.Single(twilio.Messages, m => (m.Body ?? "").Contains("Blocco segnalato", StringComparison.Ordinal));
        Assert.Equal((0, 0, 0, 0), (slack.WireErrors, teams.WireErrors, telegram.WireErrors, twilio.WireErrors));
        foreach (var message in twilio.Messages)
            output.WriteLine($"whatsapp {message.To}: {message.Body}");

        // The refusals: one DENY row each, nothing raised.
        await using var connection = await deployment.Database.OpenConnectionAsync();
        var denied = (await connection.QueryAsync<string>(
            "SELECT instance_id FROM audit_log WHERE action = 'webhook.denied' AND verdict = 'DENY' ORDER BY seq")).ToList();
        Assert.Equal(["channel:teams", "channel:telegram", "channel:whatsapp"], denied);
        var (exitCode, verify) = await deployment.RunAuditVerifyAsync(TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, verify);
    }

    private static HttpRequestMessage TeamsSigned(JsonObject activity, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/teams") { Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static HttpRequestMessage TelegramSigned(JsonObject update, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/telegram") { Content = new StringContent(update.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Telegram-Bot-Api-Secret-Token", secret);
        return request;
    }

    /// <summary>Twilio's signature: HMAC-SHA1 with the auth token over the public URL and the sorted parameters, Base64.</summary>
    private static HttpRequestMessage TwilioSigned(string publicBase, Dictionary<string, string> form, string authToken, bool tamper = false)
    {
        const string path = "/api/webhooks/twilio";
        var signed = new StringBuilder(publicBase + path);
        foreach (var (key, value) in form.OrderBy(p => p.Key, StringComparer.Ordinal))
            signed.Append(key).Append(value);
        var signature = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(signed.ToString())));
        var sent = tamper ? new Dictionary<string, string>(form) { ["Body"] = form["Body"] + "!" } : form;
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(sent) };
        request.Headers.Add("X-Twilio-Signature", signature);
        return request;
    }
}
