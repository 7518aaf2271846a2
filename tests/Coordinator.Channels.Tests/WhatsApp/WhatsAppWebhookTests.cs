using System.Diagnostics;
using System.Globalization;
using System.Net;
using Coordinator.Channels.WhatsApp;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Channels;
using Coordinator.Testing;
using Coordinator.Testing.Loopback;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Twilio.Security;

namespace Coordinator.Channels.Tests.WhatsApp;

/// <summary>
/// <c>POST /api/webhooks/twilio</c> on a real Kestrel host and a real PostgreSQL: a reply signed as Twilio signs it
/// (over <c>Coordinator:PublicBaseUrl</c>, not the address the request reached) is kept once per <c>MessageSid</c> and
/// answered with empty TwiML; every forgery is refused with 403, a <c>webhook.denied</c> DENY row and nothing kept.
/// </summary>
[Collection(ChannelsPostgresCollection.Name)]
public sealed class WhatsAppWebhookTests(ChannelsPostgres postgres) : IAsyncLifetime
{
    private const string AuthToken = "12345678901234567890123456789012";
    private const string PublicUrl = WhatsAppChannelTests.PublicBaseUrl + WhatsAppWebhook.Route;
    private string _connection = null!;
    private WebApplication _host = null!;
    private HttpClient _http = null!;
    private string _localUrl = null!;

    public async Task InitializeAsync()
    {
        _connection = await postgres.CreateDatabaseAsync();
        _host = await StartHostAsync(new Dictionary<string, string?>
        {
            ["Coordinator:Channels:WhatsApp:AccountSid"] = "AC0123456789abcdef0123456789abcdef",
            ["Coordinator:Channels:WhatsApp:AuthToken"] = AuthToken,
            ["Coordinator:Channels:WhatsApp:From"] = "whatsapp:+14155238886",
            ["Coordinator:PublicBaseUrl"] = WhatsAppChannelTests.PublicBaseUrl + "/",
        });
        _http = new HttpClient { BaseAddress = new Uri(BaseOf(_host)) };
        _localUrl = BaseOf(_host) + WhatsAppWebhook.Route;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<WebApplication> StartHostAsync(Dictionary<string, string?> settings)
    {
        var port = ThrowawayAzurite.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(_connection));
        builder.Services.AddSingleton<IChannelInbound, PostgresChannelInbound>();
        builder.Services.AddSingleton<IAuditLog, PostgresAuditLog>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ChannelAudit>();
        builder.Services.AddSingleton<ReplySignal>();
        builder.Services.AddWhatsAppChannel(builder.Configuration);
        var app = builder.Build();
        app.MapWhatsAppWebhooks();
        await app.StartAsync();
        return app;
    }

    private static string BaseOf(WebApplication host) =>
        host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);

    /// <summary>What Twilio posts for an incoming WhatsApp message (its documented parameters).</summary>
    private static Dictionary<string, string> Incoming(string sid, string body, string from = "whatsapp:+393471234567") => new(StringComparer.Ordinal)
    {
        ["SmsMessageSid"] = sid,
        ["NumMedia"] = "0",
        ["ProfileName"] = "Marco Ferri",
        ["MessageType"] = "text",
        ["SmsSid"] = sid,
        ["WaId"] = from["whatsapp:+".Length..],
        ["SmsStatus"] = "received",
        ["Body"] = body,
        ["To"] = "whatsapp:+14155238886",
        ["NumSegments"] = "1",
        ["ReferralNumMedia"] = "0",
        ["MessageSid"] = sid,
        ["AccountSid"] = "AC0123456789abcdef0123456789abcdef",
        ["From"] = from,
        ["ApiVersion"] = "2010-04-01",
    };

    private static HttpRequestMessage Request(Dictionary<string, string> form, string? signature, string query = "")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, WhatsAppWebhook.Route + query) { Content = new FormUrlEncodedContent(form) };
        if (signature is not null)
            request.Headers.Add("X-Twilio-Signature", signature);
        return request;
    }

    private static string Form(Dictionary<string, string> form) =>
        string.Join('&', form.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

    private static HttpRequestMessage Raw(string body, string contentType, string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, WhatsAppWebhook.Route) { Content = new StringContent(body, System.Text.Encoding.UTF8, contentType) };
        request.Headers.Add("X-Twilio-Signature", signature);
        return request;
    }

    private static HttpRequestMessage Signed(Dictionary<string, string> form, string query = "", string token = AuthToken, string url = PublicUrl) =>
        Request(form, LoopbackTwilio.Sign(token, url + query, form), query);

    private async Task<long> CountAsync(string sql)
    {
        await using var data = NpgsqlDataSource.Create(_connection);
        await using var command = data.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<string>> DeniedAsync()
    {
        await using var data = NpgsqlDataSource.Create(_connection);
        await using var command = data.CreateCommand(
            "SELECT detail::text FROM audit_log WHERE action = 'webhook.denied' AND verdict = 'DENY' AND instance_id = 'channel:whatsapp' ORDER BY seq");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(reader.GetString(0));
        return rows;
    }

    [Fact]
    public async Task Webhook_SignedReply_IsKeptOncePerMessageSidAndAnsweredWithEmptyTwiml()
    {
        var form = Incoming("SM0f3c8b5a2e1d4c6b9a7f0e1d2c3b4a59", "1");
        var signal = _host.Services.GetRequiredService<ReplySignal>();

        using var first = await _http.SendAsync(Signed(form));
        var woke = Stopwatch.StartNew();
        await signal.WaitAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
        Assert.True(woke.Elapsed < TimeSpan.FromSeconds(20), "the webhook did not wake the reply worker");
        using var repeat = await _http.SendAsync(Signed(form)); // Twilio's retry of the same message

        foreach (var response in new[] { first, repeat })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(WhatsAppWebhook.EmptyTwiml, await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM channel_inbound WHERE channel = 'whatsapp' AND delivery_id = 'SM0f3c8b5a2e1d4c6b9a7f0e1d2c3b4a59' AND sender = '+393471234567' AND status = 'pending'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM channel_inbound"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM channel_inbound WHERE reply->>'text' = '1' AND reply->>'replyTo' IS NULL"));
        Assert.Empty(await DeniedAsync());
    }

    [Fact]
    public async Task Webhook_QueryStringOfTheConfiguredUrl_IsPartOfTheSignature()
    {
        var form = Incoming("SM11111111111111111111111111111111", "fatto");

        using var signed = await _http.SendAsync(Signed(form, query: "?tenant=acme&x=1"));
        using var withoutQuery = await _http.SendAsync(Request(form, LoopbackTwilio.Sign(AuthToken, PublicUrl, form), "?tenant=acme&x=1"));

        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withoutQuery.StatusCode);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM channel_inbound WHERE delivery_id = 'SM11111111111111111111111111111111'"));
    }

    [Fact]
    public async Task Webhook_Forgeries_AreRefusedWithADenyRowEachAndKeepNothing()
    {
        const string sid = "SM22222222222222222222222222222222";
        var form = Incoming(sid, "done secret-text");
        var signature = LoopbackTwilio.Sign(AuthToken, PublicUrl, form);
        var changed = new Dictionary<string, string>(form) { ["Body"] = "done secret-texu" }; // one byte of one parameter
        var added = new Dictionary<string, string>(form) { ["ButtonPayload"] = "1" };

        HttpRequestMessage[] forgeries =
        [
            Request(form, null),                                     // no X-Twilio-Signature
            Request(form, ""),                                       // an empty one
            Request(changed, signature),                             // a parameter changed
            Request(added, signature),                               // a parameter added
            Signed(form, token: "12345678901234567890123456789013"), // another account's Auth Token
            Signed(form, url: _localUrl),                            // signed over the address reached, not the public URL
            Raw(Form(form) + "&Body=" + Uri.EscapeDataString("done other"), "application/x-www-form-urlencoded", signature), // Body twice
        ];
        foreach (var forgery in forgeries)
        {
            using var response = await _http.SendAsync(forgery);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        // Not a form at all: the route takes form posts only (415 before the handler; the Functions trigger's handler says 403).
        using (var json = await _http.SendAsync(Raw(System.Text.Json.JsonSerializer.Serialize(form), "application/json", signature)))
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);

        Assert.Equal(0, await CountAsync("SELECT count(*) FROM channel_inbound"));
        var denied = await DeniedAsync();
        Assert.Equal(forgeries.Length, denied.Count);
        Assert.Contains("missing X-Twilio-Signature", denied[0], StringComparison.Ordinal);
        Assert.Contains("missing X-Twilio-Signature", denied[1], StringComparison.Ordinal);
        Assert.All(denied[2..6], d => Assert.Contains("does not match", d, StringComparison.Ordinal));
        Assert.Contains("repeats a parameter", denied[6], StringComparison.Ordinal);
        Assert.All(denied, d => Assert.Contains("\"channel\": \"whatsapp\"", d, StringComparison.Ordinal));
        Assert.All(denied, d => Assert.DoesNotContain(sid, d, StringComparison.Ordinal));
        Assert.All(denied, d => Assert.DoesNotContain("secret-text", d, StringComparison.Ordinal));
    }

    [Fact]
    public async Task HandleAsync_AsTheFunctionsTriggerCallsIt_RefusesABodyThatIsNotAFormWith403AndADenyRow()
    {
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = _host.Services };
        context.Request.Method = "POST";
        context.Request.Path = WhatsAppWebhook.Route;
        context.Request.ContentType = "application/json";
        context.Request.Headers["X-Twilio-Signature"] = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
        context.Request.Body = new MemoryStream("""{"Body":"1"}"""u8.ToArray());

        var result = await WhatsAppWebhook.HandleAsync(context.Request, CancellationToken.None);
        await result.ExecuteAsync(context);

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Contains("not form-encoded", Assert.Single(await DeniedAsync()), StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM channel_inbound"));
    }

    [Fact]
    public async Task Webhook_StatusCallback_IsAcknowledgedAndKeepsNothing()
    {
        var callback = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["MessageSid"] = "SM33333333333333333333333333333333",
            ["MessageStatus"] = "delivered",
            ["ChannelToAddress"] = "+39347123XXXX",
            ["To"] = "whatsapp:+393471234567",
            ["From"] = "whatsapp:+14155238886",
            ["AccountSid"] = "AC0123456789abcdef0123456789abcdef",
            ["ApiVersion"] = "2010-04-01",
        };

        using var response = await _http.SendAsync(Signed(callback));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(WhatsAppWebhook.EmptyTwiml, await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM channel_inbound"));
    }

    [Fact]
    public async Task Webhook_WhatsAppNotConfigured_Answers404WithWhatToSet()
    {
        await using var host = await StartHostAsync([]);
        using var http = new HttpClient { BaseAddress = new Uri(BaseOf(host)) };

        using var response = await http.SendAsync(Signed(Incoming("SM44444444444444444444444444444444", "1")));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains("Coordinator__Channels__WhatsApp__AccountSid", problem, StringComparison.Ordinal);
        Assert.Contains("Coordinator__PublicBaseUrl", problem, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM channel_inbound"));
    }

    [Fact]
    public void RequestValidator_PublishedVector_MatchesAndEveryChangeIsRefused()
    {
        const string url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        const string expected = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CallSid"] = "CA1234567890ABCDE",
            ["Caller"] = "+14158675309",
            ["Digits"] = "1234",
            ["From"] = "+14158675309",
            ["To"] = "+18005551212",
        };

        Assert.Equal(expected, LoopbackTwilio.Sign("12345", url, parameters)); // the tests' own signer agrees with Twilio's published value
        Assert.True(WhatsAppWebhook.Verify("12345", url, parameters, expected).Accepted);
        Assert.True(new RequestValidator("12345").Validate(url, parameters, expected));

        Assert.Equal("missing X-Twilio-Signature", WhatsAppWebhook.Verify("12345", url, parameters, null).Reason);
        Assert.False(WhatsAppWebhook.Verify("12345", url, parameters, "").Accepted);
        Assert.False(WhatsAppWebhook.Verify("12346", url, parameters, expected).Accepted);
        Assert.False(WhatsAppWebhook.Verify("12345", url.Replace("foo=1", "foo=2", StringComparison.Ordinal), parameters, expected).Accepted);
        Assert.False(WhatsAppWebhook.Verify("12345", url, parameters, expected.ToLowerInvariant()).Accepted);
        foreach (var key in parameters.Keys)
        {
            var value = parameters[key];
            var changed = new Dictionary<string, string>(parameters) { [key] = value[..^1] + (char)(value[^1] + 1) };
            Assert.False(WhatsAppWebhook.Verify("12345", url, changed, expected).Accepted, $"{key} changed by one byte was accepted");
        }
    }
}
