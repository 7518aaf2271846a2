using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordinator.Hosting.Tests.Durability;
using Coordinator.Hosting.Tests.Support;
using Coordinator.Testing;
using Dapper;
using Xunit.Abstractions;

namespace Coordinator.Hosting.Tests.Channels;

/// <summary>
/// The OpenAI-compatible chat endpoint of <c>coordinator serve</c> (a separate process on real Azurite and PostgreSQL),
/// spoken to by the official <c>openai</c> npm client: a person's key from <c>coordinator people key</c> lists the one
/// model, asks what waits for them, adds a note (a client's retry of the same conversation adds it once) and finishes
/// the step in a streamed answer; another person's key sees none of it, and an unknown key is refused.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class ChatEndpointTests(ThrowawayAzurite azurite, PostgresFixture postgres, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    // The official client: models.list, chat.completions.create whole and streamed, and its error for a bad key.
    private const string Script = """
        const OpenAI = require('openai');
        (async () => {
          const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
          const client = (apiKey) => new OpenAI({ baseURL: input.baseURL, apiKey, maxRetries: 0, timeout: 60000 });
          const owner = client(input.ownerKey);
          const out = {};
          out.models = (await owner.models.list()).data.map(m => m.id);
          const ask = async (c, messages) => (await c.chat.completions.create({ model: 'coordinator', messages })).choices[0].message.content;
          out.list = await ask(owner, [{ role: 'user', content: 'What is waiting for me?' }]);
          out.otherList = await ask(client(input.otherKey), [{ role: 'user', content: 'what is waiting for me?' }]);
          const note = [{ role: 'user', content: [{ type: 'text', text: 'note: customer signed the NDA' }] }];
          out.note = await ask(owner, note);
          out.noteAgain = await ask(owner, note);
          const stream = await owner.chat.completions.create({
            model: 'coordinator', stream: true,
            messages: [...note, { role: 'assistant', content: out.note }, { role: 'user', content: 'done' }],
          });
          out.streamed = ''; out.chunks = 0; out.finish = null;
          for await (const chunk of stream) {
            out.chunks++;
            out.streamed += chunk.choices[0]?.delta?.content ?? '';
            out.finish = chunk.choices[0]?.finish_reason ?? out.finish;
          }
          try {
            await client('ck_' + 'x'.repeat(43)).chat.completions.create({ model: 'coordinator', messages: [{ role: 'user', content: 'list' }] });
            out.refused = null;
          } catch (e) {
            out.refused = { status: e.status, name: e.constructor.name, code: e.code ?? null };
          }
          console.log(JSON.stringify(out));
        })().catch(e => { console.error(e); process.exit(1); });
        """;

    [Fact]
    public async Task ChatEndpoint_OfficialOpenAIClient_ListsTheOwnersWorkOnly_AddsANoteOnce_AndFinishesTheStepStreamed()
    {
        await using var deployment = await CoordinatorDeployment.CreateAsync(azurite, postgres, timeScale: 1);
        await deployment.StartAsync();

        // Keys: printed alone on the last line; a person the directory does not know gets none.
        var ownerKey = await KeyAsync(deployment, "sales.lead");
        var otherKey = await KeyAsync(deployment, "it.lead");
        var (unknownExit, unknown) = await CoordinatorDeployment.RunCliAsync(
            ["people", "key", "no.such.person", "--definitions", deployment.DefinitionsFolder, "--connection", deployment.ApplicationConnectionString], TimeSpan.FromMinutes(1));
        Assert.Equal(1, unknownExit);
        Assert.Contains("'no.such.person' is not in the directory", unknown, StringComparison.Ordinal);

        var instanceId = await StartForTheSalesLeadAsync(deployment, "D-CHAT-1");

        var input = new JsonObject { ["baseURL"] = $"{deployment.Http.BaseAddress}v1", ["ownerKey"] = ownerKey, ["otherKey"] = otherKey };
        var result = JsonNode.Parse(await ProviderClients.RunNodeAsync(Script, input.ToJsonString(), TimeSpan.FromMinutes(3)))!;
        output.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        Assert.Equal(["coordinator"], result["models"]!.AsArray().Select(m => m!.GetValue<string>()));
        var list = result["list"]!.GetValue<string>();
        // The contract step's assignment was delivered after the key was made: it comes on top of the first answer, once.
        Assert.StartsWith("New since your last message:\n• New task: Countersigned contract and order form filed in the CRM · D-CHAT-1\n\nWaiting for you", list, StringComparison.Ordinal);
        Assert.Contains("1. Countersigned contract and order form filed in the CRM · B2B customer onboarding · D-CHAT-1", list, StringComparison.Ordinal);
        Assert.DoesNotContain("D-CHAT-1", result["otherList"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("✓ Note added to Countersigned contract", result["note"]!.GetValue<string>(), StringComparison.Ordinal); // nothing new on top
        Assert.StartsWith("✓", result["noteAgain"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(": done. Thank you!", result["streamed"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(result["chunks"]!.GetValue<int>() >= 3, "the answer came in one piece, not as a stream of chunks");
        Assert.Equal("stop", result["finish"]!.GetValue<string>());
        Assert.Equal(401, result["refused"]!["status"]!.GetValue<int>());
        Assert.Equal("AuthenticationError", result["refused"]!["name"]!.GetValue<string>());
        Assert.Equal("invalid_api_key", result["refused"]!["code"]!.GetValue<string>());

        // The step is done, once; the note was added once although the client sent it twice.
        await deployment.WaitForAsync(
            async () => CoordinatorDeployment.StepStatus(await deployment.GetInstanceAsync(instanceId), "contract") == "done" ? true : (bool?)null,
            Patience, "the contract step to be done");
        var rows = await deployment.AuditRowsAsync(instanceId);
        Assert.Single(rows, r => r.Action == "step.completed" && r.StepId == "contract");
        Assert.Single(rows, r => r.Action == "step.progress" && r.StepId == "contract");
        // Only the keys' hashes are kept.
        await using var connection = await deployment.Database.OpenConnectionAsync();
        var hashes = (await connection.QueryAsync<byte[]>("SELECT key_hash FROM chat_keys WHERE person_id = 'sales.lead'")).ToList();
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(ownerKey))), Convert.ToHexStringLower(Assert.Single(hashes)));
        var (exitCode, verify) = await deployment.RunAuditVerifyAsync(TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, verify);
    }

    [Fact]
    public async Task ChatEndpoint_BadRequests_AnswerInOpenAIsErrorFormat_AndRaiseNothing()
    {
        await using var deployment = await CoordinatorDeployment.CreateAsync(azurite, postgres, timeScale: 1);
        await deployment.StartAsync();
        var key = await KeyAsync(deployment, "sales.lead");

        async Task<(HttpStatusCode Status, JsonElement Error)> PostAsync(string body, string? bearer)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (bearer is not null)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            using var response = await deployment.Http.SendAsync(request);
            return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error"));
        }

        var noKey = await PostAsync("""{"model":"coordinator","messages":[{"role":"user","content":"list"}]}""", null);
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid_api_key"), (noKey.Status, noKey.Error.GetProperty("code").GetString()));
        Assert.Contains("coordinator people key", noKey.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
        var notJson = await PostAsync("{not json", key);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_json"), (notJson.Status, notJson.Error.GetProperty("code").GetString()));
        var noUser = await PostAsync("""{"model":"coordinator","messages":[{"role":"system","content":"be brief"}]}""", key);
        Assert.Equal((HttpStatusCode.BadRequest, "messages"), (noUser.Status, noUser.Error.GetProperty("param").GetString()));
        var otherModel = await PostAsync("""{"model":"gpt-4o","messages":[{"role":"user","content":"done"}]}""", key);
        Assert.Equal((HttpStatusCode.NotFound, "model_not_found"), (otherModel.Status, otherModel.Error.GetProperty("code").GetString()));
        var control = await PostAsync("""{"model":"coordinator","messages":[{"role":"user","content":"done\u0001"}]}""", key);
        Assert.Equal(HttpStatusCode.BadRequest, control.Status);
        Assert.Contains("U+0001", control.Error.GetProperty("message").GetString(), StringComparison.Ordinal);

        // Nothing was raised or started by any of them.
        await using var connection = await deployment.Database.OpenConnectionAsync();
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action LIKE 'step.%' OR action = 'instance.started'"));
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM channel_choices"));
    }

    [Fact]
    public async Task ChatEndpoint_NextAnswerBeginsWithWhatWasDeliveredSince_AnswersWhyAnInstanceIsBlocked_AndARevokedKeyIsRefusedWithAnAuditRow()
    {
        await using var deployment = await CoordinatorDeployment.CreateAsync(azurite, postgres, timeScale: 1);
        await deployment.StartAsync();
        var ownerKey = await KeyAsync(deployment, "sales.lead");
        var strangerKey = await KeyAsync(deployment, "claims.handler");

        // The onboarding's contract step is assigned to the sales lead: a notification delivered after their key was made.
        var instanceId = await StartForTheSalesLeadAsync(deployment, "D-CHAT-2");
        await using var connection = await deployment.Database.OpenConnectionAsync();
        await deployment.WaitForAsync(async () =>
            await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notifications WHERE person_id = 'sales.lead' AND instance_id = @instanceId", new { instanceId }) > 0 ? true : (bool?)null,
            Patience, "the contract step's notification in the sales lead's inbox");

        var first = await AskAsync(deployment, ownerKey, "why is D-CHAT-2 blocked?");
        var second = await AskAsync(deployment, ownerKey, "status of D-CHAT-2");
        var stranger = await AskAsync(deployment, strangerKey, "where is D-CHAT-2?");
        output.WriteLine(first + "\n---\n" + second + "\n---\n" + stranger);

        // Once, on top of the first answer only; then where the instance stands, from the application core.
        Assert.StartsWith("New since your last message:\n• New task: Countersigned contract and order form filed in the CRM · D-CHAT-2\n\n", first, StringComparison.Ordinal);
        Assert.Contains("B2B customer onboarding · D-CHAT-2, started ", first, StringComparison.Ordinal);
        Assert.Contains("• Countersigned contract and order form filed in the CRM: in progress, due ", first, StringComparison.Ordinal);
        Assert.StartsWith("B2B customer onboarding · D-CHAT-2, started ", second, StringComparison.Ordinal);
        // A claims handler is not named by D-CHAT-2: nothing of it is shown to them.
        Assert.DoesNotContain("Countersigned", stranger, StringComparison.Ordinal);
        Assert.StartsWith("Non trovo lavoro in corso tuo con “D-CHAT-2”", stranger, StringComparison.Ordinal); // in their language, Italian

        // Revoked: refused at the next request, with a webhook.denied row that names no key.
        var (exitCode, printed) = await CoordinatorDeployment.RunCliAsync(
            ["people", "revoke", "sales.lead", "--connection", deployment.ApplicationConnectionString], TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, printed);
        Assert.Contains("Revoked 1 chat key of 'sales.lead'", printed, StringComparison.Ordinal);
        using var refused = await PostAsync(deployment, ownerKey, "list");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var denied = (await connection.QueryAsync<string>(
            "SELECT detail::text FROM audit_log WHERE instance_id = 'channel:chat' AND action = 'webhook.denied' AND verdict = 'DENY'")).ToList();
        Assert.Contains(denied, d => d.Contains("an unknown or revoked bearer key", StringComparison.Ordinal));
        Assert.DoesNotContain(denied, d => d.Contains(ownerKey, StringComparison.Ordinal));
        var (verifyExit, verify) = await deployment.RunAuditVerifyAsync(TimeSpan.FromMinutes(2));
        Assert.True(verifyExit == 0, verify);
    }

    /// <summary>Starts an onboarding whose deal owner is the sales lead, and waits until its contract step is on their list.</summary>
    private static async Task<string> StartForTheSalesLeadAsync(CoordinatorDeployment deployment, string dealId)
    {
        using var start = await deployment.Http.PostAsJsonAsync("/api/workflows/b2b-onboarding/instances", new
        {
            businessKey = dealId,
            context = new { deal_id = dealId, deal_owner = "sales.lead", segment = "enterprise" },
        });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var instanceId = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString()!;
        await deployment.WaitForAsync(async () =>
            (await deployment.Http.GetFromJsonAsync<JsonElement>("/api/people/sales.lead/work")).GetProperty("items").GetArrayLength() > 0 ? true : (bool?)null,
            Patience, "the contract step on the sales lead's list");
        return instanceId;
    }

    private static async Task<HttpResponseMessage> PostAsync(CoordinatorDeployment deployment, string key, string text)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "coordinator", messages = new[] { new { role = "user", content = text } } }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await deployment.Http.SendAsync(request);
    }

    private static async Task<string> AskAsync(CoordinatorDeployment deployment, string key, string text)
    {
        using var response = await PostAsync(deployment, key, text);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }

    private static async Task<string> KeyAsync(CoordinatorDeployment deployment, string person)
    {
        var (exitCode, printed) = await CoordinatorDeployment.RunCliAsync(
            ["people", "key", person, "--definitions", deployment.DefinitionsFolder, "--connection", deployment.ApplicationConnectionString], TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, printed);
        var key = printed.Split('\n')[^1].Trim();
        Assert.StartsWith("ck_", key, StringComparison.Ordinal);
        return key;
    }
}
