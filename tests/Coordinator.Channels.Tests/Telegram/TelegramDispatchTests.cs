using Coordinator.Core.Engine;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Coordinator.Testing.Loopback;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coordinator.Channels.Tests.Telegram;

/// <summary>
/// The outbox and the dispatcher sending to a loopback Telegram that enforces its per-chat limit: each reminder once, in
/// order, no faster than the chat allows; when Telegram is stricter than the configured limit its 429s are waited out.
/// </summary>
[Collection(ChannelsPostgresCollection.Name)]
public sealed class TelegramDispatchTests(ChannelsPostgres postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly Person Ann = new() { Id = "ann", Name = "Ann", Channel = ChannelKind.Telegram, Telegram = 111111111 };
    private static readonly Person Bob = new() { Id = "bob", Name = "Bob", Channel = ChannelKind.Telegram, Telegram = 222222222 };
    private LoopbackTelegram _telegram = null!;
    private string _connection = null!;

    public async Task InitializeAsync()
    {
        _telegram = await LoopbackTelegram.StartAsync();
        _connection = await postgres.CreateDatabaseAsync();
    }

    public async Task DisposeAsync() => await _telegram.DisposeAsync();

    private static Notification Reminder(int sequence, string person) => Messages.Reminder(sequence, person);

    private async Task<IReadOnlyList<TelegramPost>> SendAndWaitAsync(int perPerson)
    {
        await using var host = await TelegramHost.StartAsync(_connection, _telegram, new PersonDirectory([Ann, Bob]), pollInterval: "00:00:00.200");
        var router = host.Services.GetRequiredService<INotificationSender>();
        foreach (var sequence in Enumerable.Range(1, perPerson))
        {
            foreach (var person in new[] { "ann", "bob" })
                Assert.Equal(SideEffectOutcome.Performed, await router.SendAsync(Reminder(sequence, person)));
        }
        return await TelegramHost.WaitForAsync(() => Task.FromResult(_telegram.Posts.Count >= 2 * perPerson ? _telegram.Posts : null), Patience, $"{2 * perPerson} reminders in Telegram");
    }

    private static void AssertOnceInOrder(IReadOnlyList<TelegramPost> posts, int perPerson, TimeSpan minimumGap)
    {
        Assert.Equal(2 * perPerson, posts.Count);
        foreach (var chat in posts.GroupBy(p => p.ChatId))
        {
            Assert.Equal(Enumerable.Range(1, perPerson).Select(i => $"ACME-{i}"), chat.Select(p => p.Text.Split('·')[1].Trim().Split('\n')[0]));
            Assert.Equal(Enumerable.Range(1, perPerson).Select(i => (long)i), chat.Select(p => p.MessageId));
            var gaps = chat.Zip(chat.Skip(1), (a, b) => b.At - a.At).ToList();
            Assert.All(gaps, gap => Assert.True(gap >= minimumGap, $"two messages {gap.TotalMilliseconds} ms apart in one chat"));
        }
    }

    [Fact]
    public async Task Dispatcher_FiveRemindersEachToTwoChats_ReachTelegramOnceInOrderWithinOnePerSecond()
    {
        var posts = await SendAndWaitAsync(5);

        AssertOnceInOrder(posts, 5, TimeSpan.FromMilliseconds(980));
        Assert.True(_telegram.WireErrors == 0, string.Join("; ", _telegram.WireErrorReasons));
        Assert.True(_telegram.RateLimited <= 2, $"{_telegram.RateLimited} answers were 429: the buckets should keep below the limit");
        // Every receipt is kept: each row sent with Telegram's message_id.
        await using var data = NpgsqlDataSource.Create(_connection);
        await using var sent = data.CreateCommand("SELECT count(*) FROM channel_outbox WHERE channel = 'telegram' AND status = 'sent' AND provider_message_id IS NOT NULL");
        Assert.Equal(10L, (long)(await sent.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Dispatcher_TelegramStricterThanTheLimit_WaitsOutEach429AndLosesOrDoublesNothing()
    {
        _telegram.PerChatPerSecond = 0.5; // Telegram says 429, retry after 2 s, to every second message a second

        var posts = await SendAndWaitAsync(3);

        Assert.True(_telegram.RateLimited >= 1, "Telegram never answered 429; the test did not test the wait");
        AssertOnceInOrder(posts, 3, TimeSpan.FromMilliseconds(1980));
        Assert.True(_telegram.WireErrors == 0, string.Join("; ", _telegram.WireErrorReasons));
    }
}
