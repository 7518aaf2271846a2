using System.Text.Json.Nodes;
using Coordinator.Channels.Rendering;
using Coordinator.Channels.Teams;
using Coordinator.Core.People;
using Coordinator.Testing;
using Coordinator.Testing.Loopback;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Channels.Tests.Teams;

/// <summary>
/// Microsoft's own Bot Framework SDK (npm <c>botframework-connector</c>, code written by Microsoft) and ours agree: its
/// <c>ChannelValidation</c> accepts and refuses the same Teams tokens as <see cref="TeamsAuthenticator"/> (fetching
/// the same loopback OpenID metadata and keys), and the loopback Bot Connector that checks our activities accepts the
/// activity its <c>ConnectorClient</c> sends, on the same path with the same shape.
/// </summary>
public sealed class TeamsBotFrameworkAgreementTests : IAsyncLifetime
{
    private const string Script = """
        const { ChannelValidation, SimpleCredentialProvider, ConnectorClient } = require('botframework-connector');
        let input = '';
        process.stdin.on('data', d => input += d).on('end', async () => {
          const run = JSON.parse(input);
          ChannelValidation.OpenIdMetadataEndpoint = run.metadata;
          const credentials = new SimpleCredentialProvider(run.appId, run.appPassword);
          const verdicts = [];
          for (const c of run.cases) {
            try {
              await ChannelValidation.authenticateChannelTokenWithServiceUrl(c.header, credentials, c.serviceUrl, 'msteams');
              verdicts.push(true);
            } catch (e) {
              verdicts.push(false);
            }
          }
          const signer = { signRequest: async request => { request.headers.set('Authorization', 'Bearer ' + run.accessToken); return request; } };
          const client = new ConnectorClient(signer, { baseUri: run.serviceUrl });
          const sent = await client.conversations.sendToConversation(run.conversation, run.activity);
          process.stdout.write(JSON.stringify({ verdicts, id: sent.id }));
        });
        """;

    private LoopbackTeams _teams = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _teams = await LoopbackTeams.StartAsync();
        _services = TeamsChannelTests.Services(_teams);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _teams.DisposeAsync();
    }

    [Fact]
    public async Task TokensAndActivities_AgreeWithTheBotFrameworkSdk()
    {
        var service = _teams.ServiceUrl.ToString();
        var cases = new List<(string Name, string Header)>
        {
            ("valid", "Bearer " + _teams.MintToken()),
            ("expired within the skew", "Bearer " + _teams.MintToken(expires: DateTime.UtcNow.AddMinutes(-4))),
            ("expired", "Bearer " + _teams.MintToken(expires: DateTime.UtcNow.AddMinutes(-6))),
            ("wrong audience", "Bearer " + _teams.MintToken(audience: Guid.NewGuid().ToString())),
            ("wrong issuer", "Bearer " + _teams.MintToken(issuer: "https://sts.example.com/")),
            ("unknown key", "Bearer " + _teams.MintToken(key: LoopbackTeams.UnknownKey())),
            ("key endorsed for another channel", "Bearer " + _teams.MintToken(key: _teams.OtherChannelKey)),
            ("serviceurl of another service", "Bearer " + _teams.MintToken(serviceUrl: "https://smba.example.net/emea/")),
            ("not a JWT", "Bearer not.a-token"),
        };
        var authenticator = _services.GetRequiredService<TeamsAuthenticator>();
        var ours = new List<bool>();
        foreach (var (_, header) in cases)
        {
            var (verdict, token) = await authenticator.ValidateTokenAsync(header, CancellationToken.None);
            ours.Add(verdict.Accepted && TeamsAuthenticator.CheckActivity(token!, "msteams", service).Accepted);
        }

        // The activity our channel sends, posted by Microsoft's client to the loopback connector.
        var send = Messages.TaskSend(ChannelKind.Teams, "a:1Xk-sdk");
        var person = new Person { Id = "it.lead", Name = "Giulia Conti", Channel = ChannelKind.Teams, Teams = new TeamsAddress("a:1Xk-sdk", _teams.ServiceUrl) };
        var activity = TeamsChannel.Activity(new MessageRenderer(TemplateSet.BuiltIn, PersonDirectory.None).Render(send.Notification, person)!);
        var accessToken = await _services.GetRequiredService<TeamsTokenSource>().TokenAsync(CancellationToken.None);
        var input = new JsonObject
        {
            ["metadata"] = _teams.OpenIdMetadataUrl.ToString(),
            ["appId"] = _teams.AppId,
            ["appPassword"] = _teams.AppPassword,
            ["cases"] = new JsonArray([.. cases.Select(c => (JsonNode)new JsonObject { ["header"] = c.Header, ["serviceUrl"] = service })]),
            ["accessToken"] = accessToken,
            ["serviceUrl"] = service,
            ["conversation"] = "a:1Xk-sdk",
            ["activity"] = activity,
        };

        var output = JsonNode.Parse(await ProviderClients.RunNodeAsync(Script, input.ToJsonString(), TimeSpan.FromMinutes(2)))!;

        var theirs = output["verdicts"]!.AsArray().Select(v => v!.GetValue<bool>()).ToList();
        Assert.All(cases.Select((c, i) => (c.Name, Ours: ours[i], Theirs: theirs[i])), c => Assert.True(c.Ours == c.Theirs, $"{c.Name}: ours {c.Ours}, the SDK's {c.Theirs}"));
        Assert.Equal([true, true, false, false, false, false, false, false, false], ours);
        var received = Assert.Single(_teams.Activities);
        Assert.Equal(0, _teams.WireErrors);
        Assert.Equal(received.Id, output["id"]!.GetValue<string>());
        Assert.Equal("a:1Xk-sdk", received.Conversation);
        Assert.Equal(activity["attachments"]!.ToJsonString(), received.Body["attachments"]!.ToJsonString());
    }
}
