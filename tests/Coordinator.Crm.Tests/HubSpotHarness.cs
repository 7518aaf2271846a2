using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Coordinator.Crm.HubSpot;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Channels;
using Coordinator.Persistence.Crm;
using Coordinator.Testing;
using Coordinator.Testing.Loopback;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coordinator.Crm.Tests;

/// <summary>HubSpot as a host registers it (AddHubSpotCrm), on a fresh database and a loopback HubSpot; the background services are not started: tests drive them.</summary>
internal sealed class HubSpotHarness : IAsyncDisposable
{
    public const string ClientSecret = "hubspot-client-secret-0b7c";
    public const string PublicBase = "https://coordinator.example.com";

    private HubSpotHarness(NpgsqlDataSource database, LoopbackHubSpot hubspot, ServiceProvider services)
    {
        Database = database;
        HubSpot = hubspot;
        Services = services;
    }

    public NpgsqlDataSource Database { get; }

    public LoopbackHubSpot HubSpot { get; }

    public ServiceProvider Services { get; }

    public ICrmUpdater Updater => Services.GetRequiredService<ICrmUpdater>();

    public HubSpotDispatcher Dispatcher => Services.GetRequiredService<HubSpotDispatcher>();

    public HubSpotStarts Starts => Services.GetRequiredService<HubSpotStarts>();

    public static readonly WorkflowDefinition Onboarding = WorkflowLoader.LoadFile(Path.Combine(RepositoryPaths.Definitions, "b2b-onboarding.yaml")).Definition!;

    public static async Task<HubSpotHarness> StartAsync(CrmPostgres postgres, int requestsPer10Seconds = 100)
    {
        var database = await postgres.CreateDatabaseAsync();
        var hubspot = await LoopbackHubSpot.StartAsync();
        foreach (var name in CrmPropertyNames.Default.All())
            hubspot.DefineProperty("deals", name);
        hubspot.PutObject("deals", Updates.Deal, new Dictionary<string, string?> { ["dealname"] = "ACME", ["dealstage"] = "closedwon", ["hubspot_owner_id"] = "71377", ["customer_segment"] = "enterprise" });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Coordinator:PublicBaseUrl"] = PublicBase,
            ["Coordinator:Crm:HubSpot:AccessToken"] = hubspot.AccessToken,
            ["Coordinator:Crm:HubSpot:ClientSecret"] = ClientSecret,
            ["Coordinator:Crm:HubSpot:ApiBaseUrl"] = hubspot.ApiBaseUrl.ToString(),
            ["Coordinator:Crm:HubSpot:RequestsPer10Seconds"] = requestsPer10Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Coordinator:Crm:HubSpot:FirstRetryInterval"] = "00:00:00.050",
        }).Build();
        var directory = PeopleDirectoryLoader.LoadFile(Path.Combine(RepositoryPaths.Definitions, "people.yaml")).Directory!;
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(database)
            .AddSingleton<IAuditLog, PostgresAuditLog>()
            .AddSingleton<IRateLimitBuckets, PostgresRateLimitBuckets>()
            .AddSingleton<ICrmOutbox, PostgresCrmOutbox>()
            .AddSingleton<ICrmStarts, PostgresCrmStarts>()
            .AddSingleton<IPersonDirectory>(directory)
            .AddSingleton<IServedWorkflows>(new Served(Onboarding));
        Assert.True(services.AddHubSpotCrm(configuration));
        return new HubSpotHarness(database, hubspot, services.BuildServiceProvider(validateScopes: true));
    }

    /// <summary>Runs the dispatcher until nothing is due within <paramref name="within"/>.</summary>
    public async Task DrainAsync(TimeSpan within)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        var outbox = Services.GetRequiredService<ICrmOutbox>();
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (await Dispatcher.RunOnceAsync(CancellationToken.None))
                continue;
            if (await outbox.NextDueAsync() is not { } next || next > deadline)
                return;
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }

    /// <summary>The audit rows with <paramref name="action"/>: (instance, verdict, detail).</summary>
    public async Task<IReadOnlyList<(string InstanceId, string Verdict, string Detail)>> AuditAsync(string action)
    {
        await using var connection = await Database.OpenConnectionAsync();
        return [.. await connection.QueryAsync<(string, string, string)>(
            "SELECT instance_id, verdict::text, detail::text FROM audit_log WHERE action = @action ORDER BY seq", new { action })];
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await HubSpot.DisposeAsync();
        await Database.DisposeAsync();
    }

    private sealed class Served(params WorkflowDefinition[] definitions) : IServedWorkflows
    {
        public IReadOnlyList<WorkflowDefinition> Latest { get; } = definitions;
    }
}
