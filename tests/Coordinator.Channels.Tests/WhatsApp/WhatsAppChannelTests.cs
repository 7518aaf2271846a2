using System.Text.Json;
using System.Text.RegularExpressions;
using Coordinator.Channels.Rendering;
using Coordinator.Channels.Tests.Slack;
using Coordinator.Channels.WhatsApp;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Coordinator.Testing.Loopback;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.Tests.WhatsApp;

/// <summary>The WhatsApp channel (the Twilio package) against a loopback Twilio that checks the Messages resource's documented wire format.</summary>
public sealed class WhatsAppChannelTests : IAsyncLifetime
{
    internal const string PublicBaseUrl = "https://coordinator.example.com";
    private LoopbackTwilio _twilio = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _twilio = await LoopbackTwilio.StartAsync();
        _services = Services(Settings(_twilio));
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    internal static Dictionary<string, string?> Settings(LoopbackTwilio twilio) => new()
    {
        ["Coordinator:Channels:WhatsApp:AccountSid"] = twilio.AccountSid,
        ["Coordinator:Channels:WhatsApp:AuthToken"] = twilio.AuthToken,
        ["Coordinator:Channels:WhatsApp:From"] = twilio.From,
        ["Coordinator:Channels:WhatsApp:ApiBaseUrl"] = twilio.ApiBaseUrl.ToString(),
        ["Coordinator:PublicBaseUrl"] = PublicBaseUrl,
    };

    internal static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        Assert.True(services.AddWhatsAppChannel(configuration));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static readonly Person Marco = new() { Id = "it.engineer", Name = "Marco Ferri", Channel = ChannelKind.WhatsApp, WhatsApp = "+393471234567", Language = "it", TimeZone = "Europe/Rome" };
    private static readonly Person Anna = new() { Id = "sales.lead", Name = "Anna Lee", Channel = ChannelKind.WhatsApp, WhatsApp = "+14155550123", Language = "en", TimeZone = "Europe/London" };

    private static ChannelSend Send(string address) => Messages.TaskSend(ChannelKind.WhatsApp, address);

    private static RenderedMessage Render(ChannelSend send, Person person) =>
        new MessageRenderer(TemplateSet.BuiltIn, PersonDirectory.None).Render(send.Notification, person)!;

    [Fact]
    public async Task SendAsync_StepAssignedInItalian_PostsTheDocumentedRequestWithNumberedChoicesAndKeepsTheSid()
    {
        var channel = _services.GetRequiredService<WhatsAppChannel>();
        var send = Send("+393471234567");

        var receipt = await channel.SendAsync(send, Marco, Render(send, Marco), CancellationToken.None);

        var message = Assert.Single(_twilio.Messages);
        Assert.Equal(0, _twilio.WireErrors);
        Assert.Equal("whatsapp:+393471234567", message.To);
        Assert.Equal("whatsapp:+14155238886", message.From);
        Assert.Null(message.ContentSid);
        Assert.StartsWith("twilio-csharp/", message.UserAgent, StringComparison.Ordinal); // the Twilio package made the request
        Assert.Equal(message.Sid, receipt.MessageId);
        Assert.Matches(new Regex("^SM[0-9a-f]{32}$"), receipt.MessageId);
        Assert.Null(receipt.Conversation);
        Assert.StartsWith("*Nuova attività: IT set-up*", message.Body, StringComparison.Ordinal);
        Assert.Contains("ACME <42> & Co", message.Body, StringComparison.Ordinal); // plain text, nothing escaped
        Assert.EndsWith("\n\n1. Fatto\n2. Bloccato\n3. Aggiungi una nota\nRispondi con il numero della tua scelta.", message.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Body_TextLongerThanTwiliosLimit_IsShortenedAndKeepsTheChoicesWhole()
    {
        var send = Send("+393471234567");
        var message = Render(send, Marco) with { Text = "*Nuova attività*\n" + new string('x', 3000) };

        var body = WhatsAppChannel.Body(message, Vocabulary.Italian);

        Assert.Equal(WhatsAppChannel.MaxBody, body.Length);
        Assert.EndsWith("x…\n\n1. Fatto\n2. Bloccato\n3. Aggiungi una nota\nRispondi con il numero della tua scelta.", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_StepAssignedInEnglish_NumbersTheChoicesInEnglish()
    {
        var channel = _services.GetRequiredService<WhatsAppChannel>();
        var send = Send("+14155550123");

        await channel.SendAsync(send, Anna, Render(send, Anna), CancellationToken.None);

        var message = Assert.Single(_twilio.Messages);
        Assert.Equal("whatsapp:+14155550123", message.To);
        Assert.StartsWith("*New task: IT set-up*", message.Body, StringComparison.Ordinal);
        Assert.EndsWith("\n\n1. Done\n2. Blocked\n3. Add a note\nReply with the number of your choice.", message.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("step-assigned")]
    [InlineData("step_assigned")] // as a shell's environment variable can name it
    public async Task SendAsync_KindWithAContentSid_SendsTheTemplateAndItsVariablesInsteadOfABody(string kind)
    {
        var settings = Settings(_twilio);
        settings["Coordinator:Channels:WhatsApp:ContentSids:" + kind] = "HX0123456789abcdef0123456789abcdef";
        await using var services = Services(settings);
        var send = Send("+393471234567");

        await services.GetRequiredService<WhatsAppChannel>().SendAsync(send, Marco, Render(send, Marco), CancellationToken.None);

        var message = Assert.Single(_twilio.Messages);
        Assert.Equal(0, _twilio.WireErrors);
        Assert.Null(message.Body);
        Assert.Equal("HX0123456789abcdef0123456789abcdef", message.ContentSid);
        var variables = JsonSerializer.Deserialize<Dictionary<string, string>>(message.ContentVariables!)!;
        Assert.Equal(["1", "2", "3"], variables.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Nuova attività: IT set-up", variables["1"]);
        Assert.Contains("Scadenza: lun 8 giu 2026, 17:00", variables["2"], StringComparison.Ordinal);
        Assert.Equal("1. Fatto · 2. Bloccato · 3. Aggiungi una nota · Rispondi con il numero della tua scelta.", variables["3"]);
        Assert.All(variables.Values, v => Assert.DoesNotContain('\n', v)); // WhatsApp refuses new lines in template variables
    }

    [Fact]
    public async Task SendAsync_KindWithoutAContentSid_IsTextEvenWhenOtherKindsHaveTemplates()
    {
        var settings = Settings(_twilio);
        settings["Coordinator:Channels:WhatsApp:ContentSids:reminder"] = "HX0123456789abcdef0123456789abcdef";
        await using var services = Services(settings);
        var send = Send("+393471234567");

        await services.GetRequiredService<WhatsAppChannel>().SendAsync(send, Marco, Render(send, Marco), CancellationToken.None);

        var message = Assert.Single(_twilio.Messages);
        Assert.Null(message.ContentSid);
        Assert.StartsWith("*Nuova attività: IT set-up*", message.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_Twilio429_ThrowsRateLimitedWithItsRetryAfter()
    {
        _twilio.PerConversationPerSecond = 0.25; // one message every 4 s: Retry-After says 4
        var channel = _services.GetRequiredService<WhatsAppChannel>();
        var send = Send("+393471234567");
        await channel.SendAsync(send, Marco, Render(send, Marco), CancellationToken.None);

        var limited = await Assert.ThrowsAsync<ChannelRateLimitedException>(() => channel.SendAsync(send, Marco, Render(send, Marco), CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(4), limited.RetryAfter);
        Assert.Equal(1, _twilio.RateLimited);
        Assert.Equal(2, _twilio.Requests); // a 429 is not retried by the resilience handler: the outbox waits
        Assert.Single(_twilio.Messages);
    }

    [Theory]
    [InlineData(21211)] // invalid To
    [InlineData(21610)] // opted out (STOP)
    [InlineData(63003)] // not on WhatsApp
    [InlineData(63024)] // invalid WhatsApp recipient
    public async Task SendAsync_NumberTwilioRefuses_IsRefusedForGoodWithTheCode(int code)
    {
        _twilio.RefusedNumbers["+393470000000"] = code;
        var channel = _services.GetRequiredService<WhatsAppChannel>();
        var send = Send("+393470000000");

        var refused = await Assert.ThrowsAsync<ChannelRefusedException>(() => channel.SendAsync(send, Marco, Render(send, Marco), CancellationToken.None));

        Assert.Contains(code.ToString(System.Globalization.CultureInfo.InvariantCulture), refused.Message, StringComparison.Ordinal);
        Assert.Contains("+393470000000", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, _twilio.Requests);
        Assert.Empty(_twilio.Messages);
    }

    [Fact]
    public async Task SendAsync_SenderOverWhatsAppsLimit63018_IsTriedAgainLaterNotRefused()
    {
        _twilio.RefusedNumbers["+393470000000"] = 63018;
        var channel = _services.GetRequiredService<WhatsAppChannel>();
        var send = Send("+393470000000");

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => channel.SendAsync(send, Marco, Render(send, Marco), CancellationToken.None));

        Assert.Contains("63018", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, _twilio.Requests); // a 400 is not retried at once
    }

    [Fact]
    public async Task SendAsync_WrongAuthToken_FailsWithWhatToCheck()
    {
        var settings = Settings(_twilio);
        settings["Coordinator:Channels:WhatsApp:AuthToken"] = "rotated-token";
        await using var services = Services(settings);
        var send = Send("+393471234567");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => services.GetRequiredService<WhatsAppChannel>().SendAsync(send, Marco, Render(send, Marco), CancellationToken.None));

        Assert.Contains("20003", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Coordinator__Channels__WhatsApp__AccountSid", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Coordinator__Channels__WhatsApp__AuthToken", failure.Message, StringComparison.Ordinal);
        Assert.Empty(_twilio.Messages);
    }

    [Fact]
    public async Task SendAsync_FromThatIsNotTheAccountsSender_FailsWithWhatToCheck()
    {
        var settings = Settings(_twilio);
        settings["Coordinator:Channels:WhatsApp:From"] = "whatsapp:+15005550006";
        await using var services = Services(settings);
        var send = Send("+393471234567");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => services.GetRequiredService<WhatsAppChannel>().SendAsync(send, Marco, Render(send, Marco), CancellationToken.None));

        Assert.Contains("63007", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Coordinator__Channels__WhatsApp__From", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_TwilioOutageOf503_IsRetriedByTheResilienceHandlerAndSentOnce()
    {
        _twilio.FailNext = 1;
        var channel = _services.GetRequiredService<WhatsAppChannel>();
        var send = Send("+393471234567");

        var receipt = await channel.SendAsync(send, Marco, Render(send, Marco), CancellationToken.None);

        Assert.Equal(2, _twilio.Requests);
        Assert.Equal(receipt.MessageId, Assert.Single(_twilio.Messages).Sid);
    }

    [Fact]
    public async Task SendAsync_TwilioDownForLonger_FailsAsRetryableNotRefused()
    {
        _twilio.FailNext = 100;
        var channel = _services.GetRequiredService<WhatsAppChannel>();
        var send = Send("+393471234567");

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => channel.SendAsync(send, Marco, Render(send, Marco), CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, failure.StatusCode); // the outbox tries again later
        Assert.Equal(4, _twilio.Requests); // the first try and the resilience handler's three retries
        Assert.Empty(_twilio.Messages);
    }

    [Theory]
    [InlineData("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json", "http://127.0.0.1:5000", "http://127.0.0.1:5000/2010-04-01/Accounts/AC1/Messages.json")]
    [InlineData("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json", "https://proxy.example.com/twilio/", "https://proxy.example.com/twilio/2010-04-01/Accounts/AC1/Messages.json")]
    [InlineData("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json", "https://api.twilio.com", "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json")]
    [InlineData("https://tls-test.twilio.com/", "http://127.0.0.1:5000", "https://tls-test.twilio.com/")]
    public void ApiHandler_TwilioUrl_GoesToTheApiBaseUrl(string url, string apiBaseUrl, string expected)
    {
        Assert.Equal(new Uri(expected), TwilioApiHandler.Rewrite(new Uri(url), new Uri(apiBaseUrl)));
    }

    [Fact]
    public async Task AnswerAsync_Reply_SendsTheTextBackToTheSender()
    {
        var channel = _services.GetRequiredService<WhatsAppChannel>();
        var reply = new InboundReply { Channel = ChannelKind.WhatsApp, DeliveryId = "SM1", Sender = "+393471234567", Text = "1", ReceivedAt = DateTimeOffset.UtcNow };

        await channel.AnswerAsync(reply, "✓ IT set-up: fatto. Grazie!", CancellationToken.None);

        var message = Assert.Single(_twilio.Messages);
        Assert.Equal("whatsapp:+393471234567", message.To);
        Assert.Equal("✓ IT set-up: fatto. Grazie!", message.Body);
        Assert.Equal(0, _twilio.WireErrors);
    }

    [Fact]
    public void Limits_Defaults_AreOnePerSecondPerPersonAndTwiliosEightyPerSecondPerSender()
    {
        var channel = _services.GetRequiredService<WhatsAppChannel>();

        Assert.Equal(ChannelKind.WhatsApp, channel.Kind);
        Assert.Equal(new ChannelLimits(1, 1, 80, 80), channel.Limits);
        Assert.Same(channel, _services.GetServices<IChannel>().Single());
    }

    [Fact]
    public void Options_PublicBaseUrl_IsTheTopLevelSetting()
    {
        var options = _services.GetRequiredService<IOptions<WhatsAppOptions>>().Value;

        Assert.Equal(PublicBaseUrl, options.PublicBaseUrl);
        Assert.Equal(PublicBaseUrl + "/api/webhooks/twilio", options.WebhookUrl);
    }

    [Fact]
    public void AddWhatsAppChannel_NoSetting_LeavesTheChannelOff()
    {
        var services = new ServiceCollection();

        Assert.False(services.AddWhatsAppChannel(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Coordinator:PublicBaseUrl"] = PublicBaseUrl }).Build()));
        Assert.Empty(services);
    }

    [Theory]
    [InlineData("Coordinator:Channels:WhatsApp:AccountSid", "", "Coordinator__Channels__WhatsApp__AccountSid")]
    [InlineData("Coordinator:Channels:WhatsApp:AccountSid", "SK0123456789abcdef0123456789abcdef", "not an account SID")]
    [InlineData("Coordinator:Channels:WhatsApp:AuthToken", "", "Coordinator__Channels__WhatsApp__AuthToken")]
    [InlineData("Coordinator:Channels:WhatsApp:From", "", "Coordinator__Channels__WhatsApp__From")]
    [InlineData("Coordinator:Channels:WhatsApp:From", "+14155238886", "not a WhatsApp sender")]
    [InlineData("Coordinator:PublicBaseUrl", "", "Coordinator__PublicBaseUrl")]
    [InlineData("Coordinator:PublicBaseUrl", "coordinator.example.com", "not an http(s) URL")]
    [InlineData("Coordinator:Channels:WhatsApp:ContentSids:step-assigned", "HX123", "not a Content SID")]
    [InlineData("Coordinator:Channels:WhatsApp:ContentSids:nudge", "HX0123456789abcdef0123456789abcdef", "not a message kind")]
    [InlineData("Coordinator:Channels:WhatsApp:PerSenderPerSecond", "0", "must be above 0")]
    public void Options_Incomplete_StopTheStartWithWhatToDo(string key, string value, string message)
    {
        var settings = Settings(_twilio);
        settings[key] = value;
        using var services = Services(settings);

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<WhatsAppOptions>>().Value);

        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }
}
