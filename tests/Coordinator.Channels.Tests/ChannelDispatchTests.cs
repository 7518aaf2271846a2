using Coordinator.Channels.Slack;
using Coordinator.Core.Engine;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Channels;
using Coordinator.Persistence.Inbox;
using Coordinator.Testing.Loopback;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Coordinator.Channels.Tests;

/// <summary>
/// The router, the outbox and the dispatcher together, on real PostgreSQL, sending to a loopback Slack that enforces
/// one message per second per conversation: nothing lost, nothing doubled, each person's order kept, quiet hours kept
/// across a restart.
/// </summary>
[Collection(ChannelsPostgresCollection.Name)]
public sealed class ChannelDispatchTests(ChannelsPostgres postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private LoopbackSlack _slack = null!;
    private string _connection = null!;

    public async Task InitializeAsync()
    {
        _slack = await LoopbackSlack.StartAsync();
        _connection = await postgres.CreateDatabaseAsync();
    }

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    private static Person SlackPerson(string id, string slack, QuietHours? quiet = null) =>
        new() { Id = id, Name = id, Channel = ChannelKind.Slack, Slack = slack, QuietHours = quiet };

    /// <summary>A host's channel services: the inbox, the Slack channel, the router and a running dispatcher.</summary>
    private async Task<ServiceProvider> StartHostAsync(IPersonDirectory people, IMessageDrafter? drafter = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Coordinator:Channels:Slack:BotToken"] = _slack.BotToken,
            ["Coordinator:Channels:Slack:SigningSecret"] = "secret",
            ["Coordinator:Channels:Slack:ApiBaseUrl"] = _slack.ApiBaseUrl.ToString(),
            ["Coordinator:Channels:Dispatch:PollInterval"] = "00:00:00.200",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(_ => NpgsqlDataSource.Create(_connection));
        services.AddSingleton(people);
        services.AddSingleton<PostgresNotificationInbox>();
        services.AddSingleton<INotificationSender>(sp => sp.GetRequiredService<PostgresNotificationInbox>());
        services.AddSingleton<IChannelOutbox, PostgresChannelOutbox>();
        services.AddSingleton<IRateLimitBuckets, PostgresRateLimitBuckets>();
        services.AddSingleton<IChannelInbound, PostgresChannelInbound>();
        services.AddSingleton<IAuditLog, NoAudit>();
        if (drafter is not null)
            services.AddSingleton(drafter);
        Assert.True(services.AddSlackChannel(configuration));
        services.AddChannelRouting(configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        foreach (var hosted in provider.GetServices<IHostedService>())
            await hosted.StartAsync(CancellationToken.None);
        return provider;
    }

    private static async Task StopHostAsync(ServiceProvider provider)
    {
        foreach (var hosted in provider.GetServices<IHostedService>())
            await hosted.StopAsync(CancellationToken.None);
        await provider.DisposeAsync();
    }

    /// <summary>The dispatch tests write no audit rows (the webhooks do, tested on serve).</summary>
    private sealed class NoAudit : IAuditLog
    {
        public Task<AuditAppendResult> AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("The dispatcher wrote an audit row.");
    }

    private static Notification Reminder(int sequence, string person) => Messages.Reminder(sequence, person);

    private async Task WaitForPostsAsync(int count)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (_slack.Posts.Count < count)
        {
            Assert.False(timeout.IsCancellationRequested, $"{_slack.Posts.Count} of {count} messages reached Slack within {Patience.TotalSeconds} s");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task SendAsync_ThirtyRemindersToThreePeople_EachReachesSlackOnceInOrderWithinTheLimit()
    {
        var people = new PersonDirectory([SlackPerson("ann", "U0ANN0001"), SlackPerson("bob", "U0BOB0001"), SlackPerson("cy", "U0CY00001")]);
        var host = await StartHostAsync(people);
        var router = host.GetRequiredService<INotificationSender>();
        Assert.IsType<ChannelRouter>(router);

        foreach (var sequence in Enumerable.Range(1, 10))
        {
            foreach (var person in new[] { "ann", "bob", "cy" })
            {
                Assert.Equal(SideEffectOutcome.Performed, await router.SendAsync(Reminder(sequence, person)));
                // A retried activity: nothing new.
                Assert.Equal(SideEffectOutcome.AlreadyPerformed, await router.SendAsync(Reminder(sequence, person)));
            }
        }
        await WaitForPostsAsync(30);
        await StopHostAsync(host);

        var posts = _slack.Posts;
        Assert.Equal(30, posts.Count);
        foreach (var group in posts.GroupBy(p => p.Channel))
        {
            Assert.Equal(Enumerable.Range(1, 10).Select(i => $"ACME-{i}"), group.Select(p => p.Text.Split('·')[1].Trim().Split('\n')[0]));
            var gaps = group.Zip(group.Skip(1), (a, b) => b.At - a.At).ToList();
            Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.FromMilliseconds(980), $"two messages {gap.TotalMilliseconds} ms apart"));
        }
        Assert.Equal(0, _slack.WireErrors);
        Assert.True(_slack.RateLimited <= 3, $"{_slack.RateLimited} answers were 429: the buckets should keep below the limit");
        // Every person's message is in the inbox too.
        await using var data = NpgsqlDataSource.Create(_connection);
        await using var count = data.CreateCommand("SELECT count(*) FROM notifications");
        Assert.Equal(30L, (long)(await count.ExecuteScalarAsync())!);
    }

    /// <summary>A drafter that rewrites the template's first line (or leaves the template, when told to), recording what it was asked.</summary>
    private sealed class RecordingDrafter(bool useTemplate = false) : IMessageDrafter
    {
        public System.Collections.Concurrent.ConcurrentQueue<DraftRequest> Requests { get; } = new();

        public Task<MessageDraft> DraftAsync(DraftRequest request, CancellationToken cancellationToken = default)
        {
            Requests.Enqueue(request);
            return Task.FromResult(useTemplate
                ? MessageDraft.UseTemplate("the topic-guardrail refused the draft")
                : new MessageDraft($"Drafted for {request.RecipientId}: {string.Join(" | ", request.Facts)}", DraftSource.Model, null));
        }
    }

    [Fact]
    public async Task SendAsync_WithAModel_DraftsOnceInTheActivity_AndTheDispatcherSendsTheDraft()
    {
        var people = new PersonDirectory([SlackPerson("ann", "U0ANN0001")]);
        var drafter = new RecordingDrafter();
        var host = await StartHostAsync(people, drafter);
        var router = host.GetRequiredService<INotificationSender>();

        Assert.Equal(SideEffectOutcome.Performed, await router.SendAsync(Reminder(1, "ann")));
        // A retried activity finds the message kept and does not call the model again.
        Assert.Equal(SideEffectOutcome.AlreadyPerformed, await router.SendAsync(Reminder(1, "ann")));
        await WaitForPostsAsync(1);
        await StopHostAsync(host);

        var request = Assert.Single(drafter.Requests);
        Assert.Equal("reminder", request.Kind);
        Assert.Equal("ann", request.RecipientId);
        Assert.Contains("ACME-1", request.Template, StringComparison.Ordinal);
        Assert.Contains("ACME-1", request.Facts);
        Assert.Contains("IT set-up", request.Facts);
        Assert.Equal(3, request.Facts.Count); // the reference, the step, the due date
        Assert.Equal("ann", Assert.Single(request.People).Id);
        var post = Assert.Single(_slack.Posts);
        Assert.Equal($"Drafted for ann: {string.Join(" | ", request.Facts)}", post.Text);
    }

    [Fact]
    public async Task SendAsync_DrafterFallsBackToTheTemplate_TheTemplateIsSent()
    {
        var people = new PersonDirectory([SlackPerson("ann", "U0ANN0001")]);
        var drafter = new RecordingDrafter(useTemplate: true);
        var host = await StartHostAsync(people, drafter);

        await host.GetRequiredService<INotificationSender>().SendAsync(Reminder(1, "ann"));
        await WaitForPostsAsync(1);
        await StopHostAsync(host);

        Assert.Single(drafter.Requests);
        var post = Assert.Single(_slack.Posts);
        Assert.Equal(Assert.Single(drafter.Requests).Template, post.Text);
    }

    [Fact]
    public async Task SendAsync_PersonInQuietHours_IsSentAtTheirEndByAHostThatStartedAfterARestart()
    {
        var now = DateTimeOffset.UtcNow;
        var end = now.AddSeconds(3);
        var quiet = new QuietHours(TimeOnly.FromDateTime(now.AddHours(-1).UtcDateTime), TimeOnly.FromDateTime(end.UtcDateTime), Weekends: false);
        var people = new PersonDirectory([SlackPerson("ann", "U0ANN0001", quiet)]);
        var first = await StartHostAsync(people);

        await first.GetRequiredService<INotificationSender>().SendAsync(Reminder(1, "ann"));
        await StopHostAsync(first); // the host stops inside the quiet hours
        Assert.Empty(_slack.Posts);
        var second = await StartHostAsync(people);
        await WaitForPostsAsync(1);
        await StopHostAsync(second);

        var post = Assert.Single(_slack.Posts);
        Assert.True(post.At >= end.AddMilliseconds(-20), $"sent at {post.At:O}, inside the quiet hours ending {end:O}");
    }

    [Fact]
    public async Task Dispatcher_SlackDown_KeepsTheMessageAndSendsItOnceWhenSlackAnswers()
    {
        var people = new PersonDirectory([SlackPerson("ann", "U0ANN0001")]);
        _slack.FailNext = 4; // more than the resilience handler's immediate retries: the message goes back to the outbox
        var host = await StartHostAsync(people);

        await host.GetRequiredService<INotificationSender>().SendAsync(Reminder(1, "ann"));
        await WaitForPostsAsync(1);
        await StopHostAsync(host);

        Assert.Single(_slack.Posts);
        Assert.Equal(0, _slack.FailNext);
    }

    [Fact]
    public async Task Plan_PeopleWithoutAConfiguredChannel_GetTheInboxOnly()
    {
        var people = new PersonDirectory([
            SlackPerson("ann", "U0ANN0001"),
            new Person { Id = "tg", Name = "tg", Channel = ChannelKind.Telegram, Telegram = 42 },
            new Person { Id = "box", Name = "box" },
        ]);
        var host = await StartHostAsync(people);
        var router = (ChannelRouter)host.GetRequiredService<INotificationSender>();

        var sends = router.Plan(Reminder(1, "ann") with { Recipients = ["ann", "tg", "box", "from-context-only"] }, DateTimeOffset.UtcNow);
        await StopHostAsync(host);

        var send = Assert.Single(sends);
        Assert.Equal(("ann", ChannelKind.Slack, "U0ANN0001"), (send.PersonId, send.Channel, send.Address));
    }
}
