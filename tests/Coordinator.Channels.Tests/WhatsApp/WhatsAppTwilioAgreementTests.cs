using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Coordinator.Channels.WhatsApp;
using Coordinator.Testing;
using Coordinator.Testing.Loopback;

namespace Coordinator.Channels.Tests.WhatsApp;

/// <summary>
/// Twilio's own Node.js library (<c>twilio</c> 5, code written by Twilio) agrees with us: its <c>validateRequest</c>
/// and ours give the same verdict on the published vector, on requests signed here and on each kind of tampering,
/// and its <c>getExpectedTwilioSignature</c> is the tests' signer; its REST client's <c>messages.create</c> is accepted
/// by the loopback Twilio, and the loopback's errors read to it as Twilio's (401 20003, 429 20429, 400 21211).
/// </summary>
public sealed class WhatsAppTwilioAgreementTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string ValidateScript = """
        const twilio = require('twilio');
        let input = '';
        process.stdin.on('data', d => input += d).on('end', () => {
          const cases = JSON.parse(input);
          const verdicts = cases.map(c => ({
            valid: twilio.validateRequest(c.token, c.signature, c.url, c.parameters),
            expected: twilio.getExpectedTwilioSignature(c.token, c.url, c.parameters),
          }));
          process.stdout.write(JSON.stringify(verdicts));
        });
        """;

    private sealed record Case(string Name, string Token, string Url, Dictionary<string, string> Parameters, string Signature, bool Untouched);

    private sealed record Verdict(bool Valid, string Expected);

    private static Dictionary<string, string> Incoming(Random random, int i)
    {
        string[] bodies = ["1", "fatto", "bloccato: manca il contratto firmato ✓", "done & dusted = 100% + more", "nota: ci vediamo lunedì 🙂", ""];
        var sid = "SM" + Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64())) + Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64()));
        var number = "+39347" + random.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new(StringComparer.Ordinal)
        {
            ["MessageSid"] = sid,
            ["SmsMessageSid"] = sid,
            ["AccountSid"] = "AC0123456789abcdef0123456789abcdef",
            ["From"] = "whatsapp:" + number,
            ["To"] = "whatsapp:+14155238886",
            ["Body"] = bodies[i % bodies.Length],
            ["ProfileName"] = i % 2 == 0 ? "Marco Ferri" : "Zoë O'Brien",
            ["WaId"] = number[1..],
            ["NumMedia"] = "0",
            ["ApiVersion"] = "2010-04-01",
        };
    }

    [Fact]
    public async Task Verify_AgreesWithTwiliosOwnValidateRequest()
    {
        var vector = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CallSid"] = "CA1234567890ABCDE", ["Caller"] = "+14158675309", ["Digits"] = "1234", ["From"] = "+14158675309", ["To"] = "+18005551212",
        };
        const string vectorUrl = "https://mycompany.com/myapp.php?foo=1&bar=2";
        var cases = new List<Case>
        {
            new("published vector", "12345", vectorUrl, vector, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", true),
            new("vector, wrong token", "12346", vectorUrl, vector, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", false),
            new("vector, Digits changed", "12345", vectorUrl, new(vector) { ["Digits"] = "1235" }, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", false),
            new("vector, query changed", "12345", vectorUrl.Replace("bar=2", "bar=3", StringComparison.Ordinal), vector, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", false),
        };
        var random = new Random(20261203);
        string[] urls =
        [
            "https://coordinator.example.com/api/webhooks/twilio",
            "https://coordinator.example.com/coordinator/api/webhooks/twilio?tenant=acme",
            "https://coordinator.example.com:8443/api/webhooks/twilio",
            "http://localhost:7071/api/webhooks/twilio",
        ];
        const string token = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
        for (var i = 0; i < 12; i++)
        {
            var url = urls[i % urls.Length];
            var form = Incoming(random, i);
            var signature = LoopbackTwilio.Sign(token, url, form);
            cases.Add(new($"request {i}", token, url, form, signature, true));
            cases.Add(new($"request {i}, Body changed by one byte", token, url, new(form) { ["Body"] = form["Body"] + "." }, signature, false));
            cases.Add(new($"request {i}, From changed", token, url, new(form) { ["From"] = "whatsapp:+393470000000" }, signature, false));
            cases.Add(new($"request {i}, a parameter added", token, url, new(form) { ["ButtonPayload"] = "1" }, signature, false));
            var removed = new Dictionary<string, string>(form);
            removed.Remove("ProfileName");
            cases.Add(new($"request {i}, a parameter removed", token, url, removed, signature, false));
            cases.Add(new($"request {i}, another token", "0" + token[1..], url, form, signature, false));
            cases.Add(new($"request {i}, another URL", token, url.Replace("/api/", "/apx/", StringComparison.Ordinal), form, signature, false));
            cases.Add(new($"request {i}, signature flipped", token, url, form, signature[..^2] + (signature[^2] == 'A' ? 'B' : 'A') + signature[^1], false));
        }

        var output = await ProviderClients.RunNodeAsync(ValidateScript, JsonSerializer.Serialize(cases, Json), TimeSpan.FromSeconds(60));
        var twilio = JsonSerializer.Deserialize<Verdict[]>(output, Json)!;

        Assert.Equal(cases.Count, twilio.Length);
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var ours = WhatsAppWebhook.Verify(c.Token, c.Url, c.Parameters, c.Signature);
            Assert.True(ours.Accepted == twilio[i].Valid, $"{c.Name}: ours {ours.Accepted} ({ours.Reason}), Twilio's {twilio[i].Valid}");
            Assert.True(ours.Accepted == c.Untouched, $"{c.Name}: accepted {ours.Accepted}");
            if (c.Untouched)
                Assert.Equal(twilio[i].Expected, LoopbackTwilio.Sign(c.Token, c.Url, c.Parameters));
        }
    }

    private const string ClientScript = """
        const twilio = require('twilio');
        let input = '';
        process.stdin.on('data', d => input += d).on('end', async () => {
          const c = JSON.parse(input);
          // Twilio's own request client, with its requests for api.twilio.com sent to the loopback Twilio.
          class Loopback extends twilio.RequestClient {
            request(opts) { return super.request({ ...opts, uri: opts.uri.replace('https://api.twilio.com', c.base) }); }
          }
          const results = [];
          for (const s of c.sends) {
            const client = twilio(c.accountSid, s.authToken, { httpClient: new Loopback() });
            try {
              const m = await client.messages.create(s.message);
              results.push({ ok: true, sid: m.sid, status: m.status, to: m.to, from: m.from, body: m.body, accountSid: m.accountSid });
            } catch (e) {
              results.push({ ok: false, status: e.status, code: e.code, message: e.message, moreInfo: e.moreInfo });
            }
          }
          process.stdout.write(JSON.stringify(results));
        });
        """;

    private sealed record ClientResult(bool Ok, string? Sid, [property: JsonPropertyName("status")] JsonElement Status, string? To, string? From, string? Body, string? AccountSid, int? Code, string? Message, string? MoreInfo);

    [Fact]
    public async Task TwiliosNodeClient_SendsToTheLoopbackAndReadsItsAnswersAsTwilios()
    {
        await using var loopback = await LoopbackTwilio.StartAsync();
        loopback.RefusedNumbers["+393470000000"] = 21211;
        // One message per 1,000 s to a number: the second send to the same number is refused with 429 however slowly
        // the client gets to it (at 1 per second, a slow start of node made it arrive in time).
        loopback.PerConversationPerSecond = 0.001;
        var input = new
        {
            @base = loopback.ApiBaseUrl.ToString().TrimEnd('/'),
            accountSid = loopback.AccountSid,
            sends = new object[]
            {
                new { authToken = loopback.AuthToken, message = new { to = "whatsapp:+393471234567", from = loopback.From, body = "*Nuova attività: IT set-up*\n\n1. Fatto\n2. Bloccato" } },
                new { authToken = loopback.AuthToken, message = new { to = "whatsapp:+393471234567", from = loopback.From, body = "too soon" } },
                new { authToken = "not-the-token", message = new { to = "whatsapp:+393479999999", from = loopback.From, body = "x" } },
                new { authToken = loopback.AuthToken, message = new { to = "whatsapp:+393470000000", from = loopback.From, body = "x" } },
                new { authToken = loopback.AuthToken, message = new { to = "whatsapp:+14155550123", from = loopback.From, contentSid = "HX0123456789abcdef0123456789abcdef", contentVariables = """{"1":"New task: IT set-up"}""" } },
            },
        };

        var output = await ProviderClients.RunNodeAsync(ClientScript, JsonSerializer.Serialize(input, Json), TimeSpan.FromSeconds(60));
        var results = JsonSerializer.Deserialize<ClientResult[]>(output, Json)!;

        Assert.Equal(5, results.Length);
        var sent = results[0];
        Assert.True(sent.Ok, sent.Message);
        Assert.Matches(new Regex("^SM[0-9a-f]{32}$"), sent.Sid);
        Assert.Equal("queued", sent.Status.GetString());
        Assert.Equal(("whatsapp:+393471234567", loopback.From, loopback.AccountSid), (sent.To, sent.From, sent.AccountSid));
        Assert.Equal((false, 429, 20429), (results[1].Ok, results[1].Status.GetInt32(), results[1].Code));
        Assert.Equal((false, 401, 20003, "Authenticate"), (results[2].Ok, results[2].Status.GetInt32(), results[2].Code, results[2].Message));
        Assert.Equal("https://www.twilio.com/docs/errors/20003", results[2].MoreInfo);
        Assert.Equal((false, 400, 21211), (results[3].Ok, results[3].Status.GetInt32(), results[3].Code));
        Assert.True(results[4].Ok, results[4].Message);

        Assert.Equal(0, loopback.WireErrors);
        Assert.Equal(2, loopback.Messages.Count);
        var first = loopback.Messages[0];
        Assert.Equal(sent.Sid, first.Sid);
        Assert.Equal("*Nuova attività: IT set-up*\n\n1. Fatto\n2. Bloccato", first.Body);
        Assert.StartsWith("twilio-node/", first.UserAgent, StringComparison.Ordinal);
        Assert.Equal(("HX0123456789abcdef0123456789abcdef", """{"1":"New task: IT set-up"}"""), (loopback.Messages[1].ContentSid, loopback.Messages[1].ContentVariables));
    }
}
