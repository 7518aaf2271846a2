using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coordinator.Testing;

namespace Coordinator.Events.Tests;

/// <summary>
/// Code written by others agrees with ours: the CloudEvents SDK for JavaScript (<c>cloudevents</c>: <c>HTTP.toEvent</c>
/// then <c>validate()</c>) takes every event the relay makes as a valid CloudEvents 1.0 event, and the Standard
/// Webhooks reference library (<c>standardwebhooks</c>: <c>new Webhook(secret).verify(payload, headers)</c>) accepts
/// its signatures and refuses tampered ones; the library's own signatures (what a sender using it makes) pass our
/// verifier, and it reproduces the fixture's vectors.
/// </summary>
public sealed class AgreementTests
{
    private const string Script = """
        const { HTTP } = require('cloudevents');
        const { Webhook } = require('standardwebhooks');
        let input = '';
        process.stdin.on('data', d => input += d).on('end', () => {
          const { cases, vectors, toSign } = JSON.parse(input);
          const results = cases.map(c => {
            const r = { name: c.name };
            try {
              const ev = HTTP.toEvent({ headers: { 'content-type': c.contentType }, body: c.body });
              r.cloudEvent = ev.validate() === true;
              r.type = ev.type; r.subject = ev.subject; r.data = ev.data;
            } catch (e) { r.cloudEvent = false; r.cloudEventError = String(e.message || e); }
            try {
              new Webhook(c.secret).verify(c.body, { 'webhook-id': c.id, 'webhook-timestamp': c.timestamp, 'webhook-signature': c.signature });
              r.verified = true;
            } catch (e) { r.verified = false; r.verifyError = String(e.message || e); }
            return r;
          });
          const fixture = vectors.map(v => new Webhook(v.secret).sign(v.id, new Date(Number(v.timestamp) * 1000), v.body));
          const signed = toSign.map(s => new Webhook(s.secret).sign(s.id, new Date(Number(s.timestamp) * 1000), s.body));
          process.stdout.write(JSON.stringify({ results, fixture, signed }));
        });
        """;

    [Fact]
    public async Task RelayEvents_AgreeWithTheCloudEventsSdkAndTheStandardWebhooksLibrary()
    {
        var key = StandardWebhooks.ParseSecret(RelayHarness.HostSecret)!;
        var now = DateTimeOffset.UtcNow;
        var cases = new JsonArray();
        void Add(string name, byte[] body, WebhookSignatureHeaders headers, string secret = RelayHarness.HostSecret) => cases.Add(new JsonObject
        {
            ["name"] = name,
            ["contentType"] = CoordinatorCloudEvents.ContentType,
            ["body"] = Encoding.UTF8.GetString(body),
            ["secret"] = secret,
            ["id"] = headers.Id,
            ["timestamp"] = headers.Timestamp,
            ["signature"] = headers.Signature,
        });
        foreach (var (action, i) in StandardWebhooksTests.ActionNames.Select((a, i) => (a, i)))
        {
            var row = Samples.Action("onboarding", "è-4711 ✓", i + 1, action);
            var body = CoordinatorCloudEvents.Serialize(row, Samples.Source);
            Add(action, body, StandardWebhooks.Headers(key, row.IdempotencyKey, now, body));
        }
        var sample = CoordinatorCloudEvents.Serialize(Samples.WorkedExample, Samples.Source);
        var good = StandardWebhooks.Headers(key, Samples.WorkedExample.IdempotencyKey, now, sample);
        var changed = (byte[])sample.Clone();
        changed[40] ^= 1;
        Add("tampered: changed byte", changed, good);
        Add("tampered: wrong secret", sample, good, RelayHarness.OnboardingSecret);
        Add("tampered: stale", sample, StandardWebhooks.Headers(key, Samples.WorkedExample.IdempotencyKey, now.AddMinutes(-6), sample));
        var vectors = StandardWebhooksTests.Vectors();
        var toSign = new[] { ("inbound start", """{"specversion":"1.0","id":"t-1","source":"urn:tickets","type":"com.coordinator.instance.start","data":{"workflow":"onboarding","businessKey":"4711"}}""") };
        var input = new JsonObject
        {
            ["cases"] = cases,
            ["vectors"] = new JsonArray([.. vectors.Select(v => new JsonObject { ["secret"] = v.Secret, ["id"] = v.Id, ["timestamp"] = v.Timestamp, ["body"] = v.Body })]),
            ["toSign"] = new JsonArray([.. toSign.Select(s => new JsonObject { ["secret"] = RelayHarness.HostSecret, ["id"] = s.Item1.Replace(' ', '-'), ["timestamp"] = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), ["body"] = s.Item2 })]),
        };

        var output = JsonNode.Parse(await ProviderClients.RunNodeAsync(Script, input.ToJsonString(), TimeSpan.FromSeconds(60)))!;

        foreach (var result in output["results"]!.AsArray())
        {
            var name = result!["name"]!.GetValue<string>();
            var tampered = name.StartsWith("tampered", StringComparison.Ordinal);
            Assert.True(result["verified"]!.GetValue<bool>() != tampered, $"{name}: standardwebhooks verify {result["verified"]} ({result["verifyError"]})");
            if (!tampered)
            {
                Assert.True(result["cloudEvent"]!.GetValue<bool>(), $"{name}: cloudevents validate: {result["cloudEventError"]}");
                Assert.Equal("com.coordinator." + name, result["type"]!.GetValue<string>());
                Assert.Equal("onboarding.è-4711 ✓", result["subject"]!.GetValue<string>());
                Assert.Equal("è-4711 ✓", result["data"]!["businessKey"]!.GetValue<string>());
            }
        }
        Assert.Equal(vectors.Select(v => v.Signature), output["fixture"]!.AsArray().Select(s => s!.GetValue<string>()));
        var librarySigned = output["signed"]!.AsArray()[0]!.GetValue<string>();
        var inbound = input["toSign"]![0]!;
        Assert.True(StandardWebhooks.Verify(key, inbound["id"]!.GetValue<string>(), inbound["timestamp"]!.GetValue<string>(), librarySigned,
            Encoding.UTF8.GetBytes(inbound["body"]!.GetValue<string>()), now).Accepted);
    }
}
