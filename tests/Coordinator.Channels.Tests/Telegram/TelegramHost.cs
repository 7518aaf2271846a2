using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Coordinator.Channels.Replies;
using Coordinator.Channels.Telegram;
using Coordinator.Controls;
using Coordinator.Core.Engine;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Channels;
using Coordinator.Persistence.Inbox;
using Coordinator.Testing;
using Coordinator.Testing.Loopback;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Coordinator.Channels.Tests.Telegram;

/// <summary>
/// A host as serve wires the Telegram channel, on real PostgreSQL and Kestrel: the inbox, the outbox and its dispatcher,
/// the real audit log, <see cref="TelegramWebhook.MapTelegramWebhooks"/> on 127.0.0.1, and the reply worker with the
/// application core faked by <see cref="Gateway"/> (it records the events) and no open work.
/// </summary>
internal sealed class TelegramHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TelegramHost(WebApplication app, Uri address, string connection)
    {
        _app = app;
        Http = new HttpClient { BaseAddress = address };
        Connection = connection;
    }

    public HttpClient Http { get; }

    public string Connection { get; }

    public IServiceProvider Services => _app.Services;

    public RecordingGateway Gateway => (RecordingGateway)_app.Services.GetRequiredService<IHumanEventGateway>();

    public static async Task<TelegramHost> StartAsync(string connection, LoopbackTelegram telegram, IPersonDirectory people, string pollInterval = "00:00:30")
    {
        var port = ThrowawayAzurite.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var settings = TelegramChannelTests.Settings(telegram.ApiBaseUrl.ToString(), telegram.BotToken);
        // Long by default: a reply handled within seconds was woken by the webhook's ReplySignal, not found by a poll.
        settings["Coordinator:Channels:Dispatch:PollInterval"] = pollInterval;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = builder.Services;
        services.AddSingleton(_ => NpgsqlDataSource.Create(connection));
        services.AddSingleton(people);
        services.AddSingleton<PostgresNotificationInbox>();
        services.AddSingleton<INotificationSender>(sp => sp.GetRequiredService<PostgresNotificationInbox>());
        services.AddSingleton<IChannelOutbox, PostgresChannelOutbox>();
        services.AddSingleton<IRateLimitBuckets, PostgresRateLimitBuckets>();
        services.AddSingleton<IChannelInbound, PostgresChannelInbound>();
        services.AddSingleton<IAuditLog, PostgresAuditLog>();
        services.AddSingleton<IWorkQueries, NoWork>();
        Assert.True(services.AddTelegramChannel(configuration));
        services.AddChannelRouting(configuration);
        // The reply handler checks free text with the real topic-guardrail against the served workflows.
        services.AddCoordinatorControls();
        services.AddSingleton<IServedWorkflows>(new ServedSample());
        services.AddReplyWorker<RecordingGateway>();
        var app = builder.Build();
        app.MapTelegramWebhooks();
        await app.StartAsync();
        return new TelegramHost(app, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"), connection);
    }

    /// <summary>Posts an update to the webhook as Telegram does (JSON, the secret in its header unless <paramref name="secret"/> is empty).</summary>
    public async Task<(HttpStatusCode Status, string Body)> PostUpdateAsync(string update, string? secret = TelegramChannelTests.Secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TelegramWebhook.Route) { Content = new StringContent(update, Encoding.UTF8, "application/json") };
        if (!string.IsNullOrEmpty(secret))
            request.Headers.Add(TelegramWebhook.SecretHeader, secret);
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The replies the webhook kept, oldest first.</summary>
    public async Task<IReadOnlyList<(string DeliveryId, InboundReply Reply, string Status)>> KeptAsync()
    {
        await using var data = NpgsqlDataSource.Create(Connection);
        await using var command = data.CreateCommand("SELECT delivery_id, reply::text, status FROM channel_inbound WHERE channel = 'telegram' ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, InboundReply, string)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), JsonSerializer.Deserialize<InboundReply>(reader.GetString(1), new JsonSerializerOptions(JsonSerializerDefaults.Web))!, reader.GetString(2)));
        return rows;
    }

    /// <summary>The channels' <c>webhook.denied</c> rows for Telegram: verdict and detail.</summary>
    public async Task<IReadOnlyList<(string Verdict, string Detail)>> DeniedAsync()
    {
        await using var data = NpgsqlDataSource.Create(Connection);
        await using var command = data.CreateCommand(
            "SELECT verdict, detail::text FROM audit_log WHERE action = 'webhook.denied' AND instance_id = 'channel:telegram' ORDER BY seq");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), reader.GetString(1)));
        return rows;
    }

    /// <summary>Waits until <paramref name="condition"/> answers something, or fails after <paramref name="patience"/>.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T?>> condition, TimeSpan patience, string what)
        where T : class
    {
        using var timeout = new CancellationTokenSource(patience);
        while (true)
        {
            if (await condition() is { } found)
                return found;
            Assert.False(timeout.IsCancellationRequested, $"{what} did not happen within {patience.TotalSeconds} s");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>The application core, faked: every event is applied and recorded.</summary>
    internal sealed class RecordingGateway : IHumanEventGateway
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Instance, HumanEvent Event)> _submitted = new();

        public IReadOnlyList<(string Instance, HumanEvent Event)> Submitted => [.. _submitted];

        public Task<SubmittedEvent> SubmitAsync(string instanceId, HumanEvent humanEvent, CancellationToken cancellationToken)
        {
            _submitted.Enqueue((instanceId, humanEvent));
            return Task.FromResult(new SubmittedEvent(SubmittedKind.Applied));
        }
    }

    private sealed class NoWork : IWorkQueries
    {
        public Task<IReadOnlyList<PersonWorkItem>> WaitingOnAsync(string personId, int limit, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<PersonWorkItem>>([]);
        public Task<IReadOnlyList<RunningWork>> RunningAsync(int limit, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<bool> NamesAsync(string personId, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<WorkStanding>> NamingAsync(string personId, int limit, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<WorkStanding>>([]);
        public Task<IReadOnlyList<PersonWorkload>> PeopleAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
