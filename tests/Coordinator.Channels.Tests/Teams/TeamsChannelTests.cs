using Coordinator.Channels.Rendering;
using Coordinator.Channels.Teams;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Coordinator.Testing.Loopback;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.Tests.Teams;

/// <summary>The Teams channel against a loopback Bot Framework (login, connector) that checks the documented wire format.</summary>
public sealed class TeamsChannelTests : IAsyncLifetime
{
    private LoopbackTeams _teams = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _teams = await LoopbackTeams.StartAsync();
        _services = Services(_teams);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _teams.DisposeAsync();
    }

    internal static Dictionary<string, string?> Settings(LoopbackTeams teams, string? password = null) => new()
    {
        ["Coordinator:Channels:Teams:AppId"] = teams.AppId,
        ["Coordinator:Channels:Teams:AppPassword"] = password ?? teams.AppPassword,
        ["Coordinator:Channels:Teams:TokenEndpoint"] = teams.TokenEndpoint.ToString(),
        ["Coordinator:Channels:Teams:OpenIdMetadataUrl"] = teams.OpenIdMetadataUrl.ToString(),
    };

    internal static ServiceProvider Services(LoopbackTeams teams, string? password = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        Assert.True(services.AddTeamsChannel(new ConfigurationBuilder().AddInMemoryCollection(Settings(teams, password)).Build()));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private Person Giulia(string conversation = "a:1Xk-giulia") => new()
    {
        Id = "it.lead",
        Name = "Giulia Conti",
        Channel = ChannelKind.Teams,
        Teams = new TeamsAddress(conversation, _teams.ServiceUrl),
        Language = "it",
        TimeZone = "Europe/Rome",
    };

    private static ChannelSend Send(string conversation, long id = 1) => Messages.TaskSend(ChannelKind.Teams, conversation, id, personId: "it.lead");

    private static RenderedMessage Render(ChannelSend send, Person person) =>
        new MessageRenderer(TemplateSet.BuiltIn, PersonDirectory.None).Render(send.Notification, person)!;

    [Fact]
    public async Task SendAsync_StepAssigned_PostsAnAdaptiveCardWithTheBotsTokenAndKeepsTheActivityId()
    {
        var channel = _services.GetRequiredService<TeamsChannel>();
        var person = Giulia();
        var send = Send("a:1Xk-giulia");
        var message = Render(send, person);

        var first = await channel.SendAsync(send, person, message, CancellationToken.None);
        var second = await channel.SendAsync(Send("a:1Xk-marco", 2), Giulia("a:1Xk-marco"), message, CancellationToken.None);

        Assert.Equal(0, _teams.WireErrors);
        Assert.Equal(1, _teams.TokenRequests); // the token is cached until it expires
        var activities = _teams.Activities;
        Assert.Equal(2, activities.Count);
        Assert.Equal(activities[0].Id, first.MessageId);
        Assert.Equal("a:1Xk-giulia", first.Conversation);
        Assert.NotEqual(first.MessageId, second.MessageId);
        var card = activities[0].Card!;
        Assert.Equal("AdaptiveCard", card["type"]!.GetValue<string>());
        var body = card["body"]!.AsArray();
        Assert.Equal(message.Headline.Trim('*'), body[0]!["text"]!.GetValue<string>());
        Assert.DoesNotContain(message.Headline, body[1]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        var facts = body.Single(b => b!["type"]!.GetValue<string>() == "FactSet")!["facts"]!.AsArray()
            .Select(f => (f!["title"]!.GetValue<string>(), f["value"]!.GetValue<string>())).ToList();
        Assert.Equal(message.Facts.Select(f => (f.Key, f.Value)), facts);
        Assert.Contains(facts, f => f.Item2 == "ACME <42> & Co"); // JSON, not markup: nothing to escape
        Assert.Contains(facts, f => f.Item2.Contains("IT set-up", StringComparison.Ordinal));
        var actions = card["actions"]!.AsArray();
        Assert.Equal(message.Actions.Select(a => a.Label), actions.Select(a => a!["title"]!.GetValue<string>()));
        Assert.All(actions.Zip(message.Actions), pair =>
        {
            Assert.Equal("Action.Submit", pair.First!["type"]!.GetValue<string>());
            Assert.Equal(pair.Second.Number, TeamsChannel.SubmittedAction(pair.First["data"]));
        });
        Assert.Equal(message.Text, activities[0].Text);
    }

    [Fact]
    public async Task SendAsync_Teams429_ThrowsRateLimitedWithItsRetryAfter()
    {
        var channel = _services.GetRequiredService<TeamsChannel>();
        var person = Giulia();
        await channel.SendAsync(Send("a:1Xk-giulia"), person, Render(Send("a:1Xk-giulia"), person), CancellationToken.None);

        var refused = await Assert.ThrowsAsync<ChannelRateLimitedException>(() =>
            channel.SendAsync(Send("a:1Xk-giulia", 2), person, Render(Send("a:1Xk-giulia"), person), CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
        Assert.Equal(1, _teams.RateLimited);
        Assert.Single(_teams.Activities);
    }

    [Fact]
    public async Task SendAsync_ConversationTheBotWasRemovedFrom_IsRefusedForGood()
    {
        _teams.UnknownConversations["a:gone"] = true;
        var person = Giulia("a:gone");

        var refused = await Assert.ThrowsAsync<ChannelRefusedException>(() =>
            _services.GetRequiredService<TeamsChannel>().SendAsync(Send("a:gone"), person, Render(Send("a:gone"), person), CancellationToken.None));

        Assert.Contains("ConversationNotFound", refused.Message, StringComparison.Ordinal);
        Assert.Empty(_teams.Activities);
    }

    [Fact]
    public async Task SendAsync_WrongAppPassword_FailsWithWhatToCheck()
    {
        await using var services = Services(_teams, password: "not-the-secret");
        var person = Giulia();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            services.GetRequiredService<TeamsChannel>().SendAsync(Send("a:1Xk-giulia"), person, Render(Send("a:1Xk-giulia"), person), CancellationToken.None));

        Assert.Contains("Coordinator__Channels__Teams__AppPassword", failure.Message, StringComparison.Ordinal);
        Assert.Empty(_teams.Activities);
    }

    [Fact]
    public async Task SendAsync_ConnectorOutageOf503_IsRetriedByTheResilienceHandlerAndPostsOnce()
    {
        _teams.FailNext = 2;
        var person = Giulia();

        var receipt = await _services.GetRequiredService<TeamsChannel>().SendAsync(Send("a:1Xk-giulia"), person, Render(Send("a:1Xk-giulia"), person), CancellationToken.None);

        Assert.Equal(receipt.MessageId, Assert.Single(_teams.Activities).Id);
    }

    [Fact]
    public async Task AnswerAsync_RepliesToTheActivityOnTheServiceUrlOfTheRequest()
    {
        var reply = new InboundReply
        {
            Channel = ChannelKind.Teams,
            DeliveryId = "1700000000001",
            Sender = "a:1Xk-giulia",
            Text = "fatto",
            ReplyTo = "1000000000042",
            Conversation = "a:1Xk-giulia",
            ServiceUrl = _teams.ServiceUrl.ToString().TrimEnd('/'),
            ReceivedAt = DateTimeOffset.UtcNow,
        };

        await _services.GetRequiredService<TeamsChannel>().AnswerAsync(reply, "Segnato come fatto: IT set-up.", CancellationToken.None);

        var answer = Assert.Single(_teams.Activities);
        Assert.Equal(0, _teams.WireErrors);
        Assert.Equal("1000000000042", answer.ReplyTo);
        Assert.Equal("Segnato come fatto: IT set-up.", answer.Text);
        Assert.Null(answer.Card);
    }

    [Theory]
    [InlineData(null, "secret", "AppId is missing")]
    [InlineData("not-a-guid", "secret", "is not a Microsoft App ID")]
    [InlineData("8e0b3f6a-55c2-4c5e-9a4b-2f1d7c9e0a11", null, "AppPassword is missing")]
    public void Options_Incomplete_StopTheStartWithWhatToDo(string? appId, string? password, string message)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddTeamsChannel(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Coordinator:Channels:Teams:AppId"] = appId,
            ["Coordinator:Channels:Teams:AppPassword"] = password,
        }).Build());
        using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TeamsOptions>>().Value);

        Assert.Contains(message, failure.Message, StringComparison.Ordinal);
        Assert.Contains("Coordinator__Channels__Teams__", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_PlainHttpEndpointsOutsideLoopback_AreRefused()
    {
        var result = new TeamsOptionsValidator().Validate(null, new TeamsOptions
        {
            AppId = "8e0b3f6a-55c2-4c5e-9a4b-2f1d7c9e0a11",
            AppPassword = "secret",
            OpenIdMetadataUrl = new Uri("http://login.example.com/v1/.well-known/openidconfiguration"),
        });

        Assert.True(result.Failed);
        Assert.Contains("OpenIdMetadataUrl", result.FailureMessage, StringComparison.Ordinal);
    }
}
