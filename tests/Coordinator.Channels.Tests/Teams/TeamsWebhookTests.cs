using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Coordinator.Channels.Teams;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Channels;
using Coordinator.Testing;
using Coordinator.Testing.Loopback;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Coordinator.Channels.Tests.Teams;

/// <summary>
/// <c>POST /api/webhooks/teams</c> on a real host (Kestrel on loopback) with real PostgreSQL: Bot Framework tokens from a
/// loopback OpenID metadata document and JWKS. Each bad token is refused with 401, keeps nothing and leaves a DENY row.
/// </summary>
[Collection(ChannelsPostgresCollection.Name)]
public sealed class TeamsWebhookTests(ChannelsPostgres postgres) : IAsyncLifetime
{
    private LoopbackTeams _teams = null!;
    private WebApplication _host = null!;
    private HttpClient _client = null!;
    private NpgsqlDataSource _database = null!;
    private readonly ShiftedTime _time = new();

    public async Task InitializeAsync()
    {
        _teams = await LoopbackTeams.StartAsync();
        var connection = await postgres.CreateDatabaseAsync();
        _database = NpgsqlDataSource.Create(connection);
        var port = ThrowawayAzurite.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Configuration.AddInMemoryCollection(TeamsChannelTests.Settings(_teams));
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connection));
        builder.Services.AddSingleton<IAuditLog, PostgresAuditLog>();
        builder.Services.AddSingleton<IChannelInbound, PostgresChannelInbound>();
        builder.Services.AddSingleton<ChannelAudit>();
        builder.Services.AddSingleton<ReplySignal>();
        Assert.True(builder.Services.AddTeamsChannel(builder.Configuration));
        _host = builder.Build();
        _host.MapTeamsWebhooks();
        await _host.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.StopAsync();
        await _host.DisposeAsync();
        await _teams.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<HttpResponseMessage> PostAsync(JsonObject activity, string? token, string scheme = "Bearer")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TeamsWebhook.Route)
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue(scheme, token);
        return await _client.SendAsync(request);
    }

    private async Task<List<(string DeliveryId, string Reply)>> KeptAsync()
    {
        await using var command = _database.CreateCommand("SELECT delivery_id, reply::text FROM channel_inbound WHERE channel = 'teams' ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), reader.GetString(1)));
        return rows;
    }

    private async Task<List<string>> DeniedAsync()
    {
        await using var command = _database.CreateCommand(
            "SELECT detail->>'reason' FROM audit_log WHERE action = 'webhook.denied' AND verdict = 'DENY' AND instance_id = 'channel:teams' ORDER BY seq");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(reader.GetString(0));
        return rows;
    }

    [Fact]
    public async Task Message_WithAValidToken_IsKeptOnceWhateverTheRedeliveries()
    {
        var activity = _teams.Message("a:1Xk-giulia", "<at>Coordinator</at> fatto", replyTo: "1000000000007", id: "1700000000101");

        var first = await PostAsync(activity, _teams.MintToken());
        var again = await PostAsync(activity, _teams.MintToken());

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var kept = Assert.Single(await KeptAsync());
        Assert.Equal("1700000000101", kept.DeliveryId);
        var reply = JsonNode.Parse(kept.Reply)!;
        Assert.Equal("fatto", reply["text"]!.GetValue<string>());
        Assert.Equal("a:1Xk-giulia", reply["sender"]!.GetValue<string>());
        Assert.Equal("1000000000007", reply["replyTo"]!.GetValue<string>());
        Assert.Equal(_teams.ServiceUrl.ToString(), reply["serviceUrl"]!.GetValue<string>());
        Assert.Empty(await DeniedAsync());
    }

    [Fact]
    public async Task CardSubmit_IsKeptAsTheActionNumberOnTheCardsActivity()
    {
        var submit = _teams.Submit("a:1Xk-giulia", replyTo: "1000000000009", new JsonObject { ["coordinator"] = "c1", ["action"] = 2 });

        var response = await PostAsync(submit, _teams.MintToken());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = JsonNode.Parse(Assert.Single(await KeptAsync()).Reply)!;
        Assert.Equal(2, reply["actionNumber"]!.GetValue<int>());
        Assert.Equal("1000000000009", reply["replyTo"]!.GetValue<string>());
    }

    [Fact]
    public async Task TokenSignedByAKeyRolledInAfterTheKeysWereCached_IsAccepted()
    {
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(_teams.Message("a:1Xk-giulia", "nota: prima"), _teams.MintToken())).StatusCode);
        var rolled = _teams.RollInKey();
        _time.Offset = TimeSpan.FromSeconds(31); // the keys are fetched again for an unknown key id at most every 30 s

        var response = await PostAsync(_teams.Message("a:1Xk-giulia", "nota: dopo"), _teams.MintToken(key: rolled));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await KeptAsync()).Count);
    }

    public static TheoryData<string, string> BadTokens() => new()
    {
        { "wrong audience", "for another app" },
        { "wrong issuer", "not issued by the Bot Framework" },
        { "expired", "expired" },
        { "unknown key", "a key the Bot Framework does not publish" },
        { "key endorsed for another channel", "not endorsed for the channel 'msteams'" },
        { "serviceurl of another service", "serviceurl claim is not the activity's serviceUrl" },
        { "one changed byte of the signature", "signature does not verify" },
        { "no token", "no Authorization header" },
        { "basic instead of bearer", "not a bearer token" },
        { "not a JWT", "not a JWT" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task BadToken_IsRefusedWith401_KeepsNothing_AndLeavesADenyRow(string bad, string reason)
    {
        var activity = _teams.Message("a:1Xk-giulia", "fatto");
        var (token, scheme) = bad switch
        {
            "wrong audience" => (_teams.MintToken(audience: Guid.NewGuid().ToString()), "Bearer"),
            "wrong issuer" => (_teams.MintToken(issuer: "https://sts.example.com/"), "Bearer"),
            "expired" => (_teams.MintToken(expires: DateTime.UtcNow.AddMinutes(-6)), "Bearer"),
            "unknown key" => (_teams.MintToken(key: LoopbackTeams.UnknownKey()), "Bearer"),
            "key endorsed for another channel" => (_teams.MintToken(key: _teams.OtherChannelKey), "Bearer"),
            "serviceurl of another service" => (_teams.MintToken(serviceUrl: "https://smba.example.net/emea/"), "Bearer"),
            "one changed byte of the signature" => (ChangeOneByte(_teams.MintToken()), "Bearer"),
            "no token" => ((string?)null, "Bearer"),
            "basic instead of bearer" => (Convert.ToBase64String(Encoding.UTF8.GetBytes("a:b")), "Basic"),
            _ => ("not.a-token", "Bearer"),
        };

        var response = await PostAsync(activity, token, scheme);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await KeptAsync());
        Assert.Contains(reason, Assert.Single(await DeniedAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenExpiredWithinTheFiveMinutesOfSkew_IsStillAccepted()
    {
        var response = await PostAsync(_teams.Message("a:1Xk-giulia", "fatto"), _teams.MintToken(expires: DateTime.UtcNow.AddMinutes(-4)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(await KeptAsync());
    }

    [Fact]
    public async Task ActivityWhoseServiceUrlDiffersFromTheTokens_IsRefused()
    {
        var activity = _teams.Message("a:1Xk-giulia", "fatto", serviceUrl: "https://attacker.example.com/");

        var response = await PostAsync(activity, _teams.MintToken());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await KeptAsync());
        Assert.Single(await DeniedAsync());
    }

    [Fact]
    public async Task InstallationOfTheBot_ChangesNothing()
    {
        var activity = _teams.Message("a:1Xk-new", "");
        activity["type"] = "installationUpdate";
        activity["action"] = "add";

        var response = await PostAsync(activity, _teams.MintToken());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await KeptAsync());
        Assert.Empty(await DeniedAsync());
    }

    /// <summary>The real clock, moved on by <see cref="Offset"/>.</summary>
    private sealed class ShiftedTime : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }

    /// <summary>Changes one character in the middle of the signature (not the last, whose low bits Base64url may not carry).</summary>
    private static string ChangeOneByte(string token)
    {
        var at = token.LastIndexOf('.') + 10;
        var chars = token.ToCharArray();
        chars[at] = chars[at] == 'A' ? 'B' : 'A';
        return new string(chars);
    }
}
