using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coordinator.Channels.Webhooks;
using Coordinator.Testing;

namespace Coordinator.Channels.Tests.Slack;

/// <summary>
/// Slack's own verifier (<c>verifySlackRequest</c> of <c>@slack/bolt</c>, code written by Slack) and ours agree on
/// every request: the published vector, signatures made here over bodies of every kind, and each kind of tampering.
/// </summary>
public sealed class SlackBoltAgreementTests
{
    private const string Script = """
        const { isValidSlackRequest } = require('@slack/bolt');
        let input = '';
        process.stdin.on('data', d => input += d).on('end', () => {
          const cases = JSON.parse(input);
          const verdicts = cases.map(c => isValidSlackRequest({
            signingSecret: c.secret,
            body: c.body,
            headers: { 'x-slack-signature': c.signature, 'x-slack-request-timestamp': Number(c.timestamp) },
            nowMilliseconds: c.nowMs,
            logger: { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel() {}, setName() {} },
          }));
          process.stdout.write(JSON.stringify(verdicts));
        });
        """;

    private sealed record Case(string Name, string Secret, string Timestamp, string Signature, string Body, long NowMs);

    private static string Sign(string secret, string timestamp, string body) =>
        "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}")));

    [Fact]
    public async Task VerifySlack_AgreesWithSlacksOwnVerifier()
    {
        const string secret = "8f742231b10e8888abcd99yyyzzz85a5";
        const string vectorBody = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        const long vectorAt = 1531420618;
        var cases = new List<Case>
        {
            new("published vector", secret, "1531420618", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", vectorBody, (vectorAt + 10) * 1000),
            new("vector, body changed", secret, "1531420618", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", vectorBody + "x", (vectorAt + 10) * 1000),
            new("vector, six minutes later", secret, "1531420618", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", vectorBody, (vectorAt + 360) * 1000),
            new("vector, wrong secret", secret + "0", "1531420618", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503", vectorBody, (vectorAt + 10) * 1000),
        };
        var random = new Random(20261203);
        string[] bodies =
        [
            """{"type":"event_callback","event_id":"Ev1","event":{"type":"message","user":"U05SALES1D","text":"fatto – è già finito ✓","thread_ts":"1.2"}}""",
            "payload=" + Uri.EscapeDataString("""{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"coordinator.done.1","value":"1"}]}"""),
            "",
            """{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}""",
        ];
        foreach (var (body, i) in bodies.Select((b, i) => (b, i)))
        {
            var at = 1_780_000_000L + random.Next(1_000_000);
            var ts = at.ToString(CultureInfo.InvariantCulture);
            var signature = Sign(secret, ts, body);
            cases.Add(new($"body {i}", secret, ts, signature, body, at * 1000 + random.Next(290_000)));
            cases.Add(new($"body {i}, one character changed", secret, ts, signature, body + " ", at * 1000));
            cases.Add(new($"body {i}, timestamp changed", secret, (at + 1).ToString(CultureInfo.InvariantCulture), signature, body, at * 1000));
            cases.Add(new($"body {i}, signature upper-cased", secret, ts, signature.ToUpperInvariant(), body, at * 1000));
        }

        var output = await ProviderClients.RunNodeAsync(Script, JsonSerializer.Serialize(cases, new JsonSerializerOptions(JsonSerializerDefaults.Web)), TimeSpan.FromSeconds(60));
        var bolt = JsonSerializer.Deserialize<bool[]>(output)!;

        Assert.Equal(cases.Count, bolt.Length);
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var ours = WebhookSignatures.VerifySlack(c.Secret, c.Timestamp, c.Signature, Encoding.UTF8.GetBytes(c.Body), DateTimeOffset.FromUnixTimeMilliseconds(c.NowMs));
            Assert.True(ours.Accepted == bolt[i], $"{c.Name}: ours {ours.Accepted} ({ours.Reason}), Slack's {bolt[i]}");
        }
        Assert.Equal(5, bolt.Count(v => v)); // the vector and the four untouched bodies
    }
}
