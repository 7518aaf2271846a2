using Coordinator.Channels.Rendering;
using Coordinator.Channels.Slack;
using Coordinator.Core.Engine;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Coordinator.Testing.Loopback;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.Tests.Slack;

/// <summary>The Slack channel against a loopback Slack that checks chat.postMessage's documented wire format.</summary>
public sealed class SlackChannelTests : IAsyncLifetime
{
    private LoopbackSlack _slack = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _slack = await LoopbackSlack.StartAsync();
        _services = Services(_slack.ApiBaseUrl.ToString(), _slack.BotToken);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _slack.DisposeAsync();
    }

    internal static ServiceProvider Services(string apiBaseUrl, string token, string secret = "signing-secret")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Coordinator:Channels:Slack:BotToken"] = token,
            ["Coordinator:Channels:Slack:SigningSecret"] = secret,
            ["Coordinator:Channels:Slack:ApiBaseUrl"] = apiBaseUrl,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        Assert.True(services.AddSlackChannel(configuration));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static readonly Person Marco = new() { Id = "it.engineer", Name = "Marco Ferri", Channel = ChannelKind.Slack, Slack = "U024BE7LH", Language = "it", TimeZone = "Europe/Rome" };

    internal static ChannelSend Send(string address, long id = 1) => Messages.TaskSend(ChannelKind.Slack, address, id);

    private RenderedMessage Render(ChannelSend send) =>
        new MessageRenderer(TemplateSet.BuiltIn, PersonDirectory.None).Render(send.Notification, Marco)!;

    [Fact]
    public async Task SendAsync_StepAssigned_PostsTheDocumentedRequestAndKeepsTheTs()
    {
        var channel = _services.GetRequiredService<SlackChannel>();
        var send = Send("U024BE7LH");

        var receipt = await channel.SendAsync(send, Marco, Render(send), CancellationToken.None);

        var post = Assert.Single(_slack.Posts);
        Assert.Equal(0, _slack.WireErrors);
        Assert.Equal("U024BE7LH", post.Channel);
        Assert.Equal(post.Ts, receipt.MessageId);
        Assert.Equal("DU024BE7LH", receipt.Conversation);
        Assert.StartsWith("*Nuova attività: IT set-up*", post.Text, StringComparison.Ordinal);
        Assert.Contains("ACME &lt;42&gt; &amp; Co", post.Text, StringComparison.Ordinal); // Slack's escaping of & < >
        Assert.Contains("Scadenza lun 8 giu 2026, 17:00.", post.Text, StringComparison.Ordinal);
        var blocks = post.Blocks!;
        Assert.Equal("section", blocks[0]!["type"]!.GetValue<string>());
        Assert.Equal("mrkdwn", blocks[0]!["text"]!["type"]!.GetValue<string>());
        var buttons = blocks[1]!["elements"]!.AsArray();
        Assert.Equal(["Fatto", "Bloccato", "Aggiungi una nota"], buttons.Select(b => b!["text"]!["text"]!.GetValue<string>()));
        Assert.Equal(["coordinator.done.1", "coordinator.blocked.2", "coordinator.note.3"], buttons.Select(b => b!["action_id"]!.GetValue<string>()));
        Assert.Equal(["1", "2", "3"], buttons.Select(b => b!["value"]!.GetValue<string>()));
    }

    [Fact]
    public async Task SendAsync_Slack429_ThrowsRateLimitedWithItsRetryAfter()
    {
        var channel = _services.GetRequiredService<SlackChannel>();
        var send = Send("U024BE7LH");
        await channel.SendAsync(send, Marco, Render(send), CancellationToken.None);

        var limited = await Assert.ThrowsAsync<ChannelRateLimitedException>(() => channel.SendAsync(send, Marco, Render(send), CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(1), limited.RetryAfter);
        Assert.Equal(1, _slack.RateLimited);
        Assert.Single(_slack.Posts);
    }

    [Fact]
    public async Task SendAsync_UnknownUser_IsRefusedForGood()
    {
        _slack.UnknownUsers["U0NOBODY1"] = true;
        var channel = _services.GetRequiredService<SlackChannel>();
        var send = Send("U0NOBODY1");

        var refused = await Assert.ThrowsAsync<ChannelRefusedException>(() => channel.SendAsync(send, Marco, Render(send), CancellationToken.None));

        Assert.Contains("channel_not_found", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_WrongToken_FailsWithWhatToCheck()
    {
        await using var services = Services(_slack.ApiBaseUrl.ToString(), "xoxb-revoked");
        var send = Send("U024BE7LH");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => services.GetRequiredService<SlackChannel>().SendAsync(send, Marco, Render(send), CancellationToken.None));

        Assert.Contains("invalid_auth", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Coordinator__Channels__Slack__BotToken", failure.Message, StringComparison.Ordinal);
        Assert.Empty(_slack.Posts);
    }

    [Fact]
    public async Task SendAsync_SlackOutageOf503_IsRetriedByTheResilienceHandlerAndPostsOnce()
    {
        _slack.FailNext = 1;
        var channel = _services.GetRequiredService<SlackChannel>();
        var send = Send("U024BE7LH");

        await channel.SendAsync(send, Marco, Render(send), CancellationToken.None);

        Assert.Single(_slack.Posts);
    }

    [Theory]
    [InlineData("xoxp-user-token", "signing", "not a bot token")]
    [InlineData("xoxb-ok", "", "SigningSecret is missing")]
    [InlineData("", "signing", "BotToken is missing")]
    public void Options_Incomplete_StopTheStartWithWhatToDo(string token, string secret, string message)
    {
        using var services = Services("https://slack.com/api/", token, secret);

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<SlackOptions>>().Value);

        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
    }
}
