using Azure.Storage.Blobs;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Audit.Anchors;
using Coordinator.Persistence.Catalog;
using Coordinator.Persistence.Channels;
using Coordinator.Persistence.Events;
using Coordinator.Persistence.Migrations;
using Coordinator.Persistence.Outbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Coordinator.Persistence;

public static class PersistenceServiceCollectionExtensions
{
    /// <summary>The connection string name: <c>ConnectionStrings:Coordinator</c> (environment <c>ConnectionStrings__Coordinator</c>).</summary>
    public const string ConnectionStringName = "Coordinator";

    /// <summary>
    /// Registers the one <see cref="NpgsqlDataSource"/>, the audit registry (<see cref="IAuditLog"/>,
    /// reader, exporter, verifier, anchors with their periodic <see cref="AuditAnchorService"/>), the
    /// definitions catalog and the outbox. Migrations are not applied here: they need the owner role (see <see cref="MigrationRunner"/>).
    /// </summary>
    public static IServiceCollection AddCoordinatorPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} is not set. Set the environment variable ConnectionStrings__{ConnectionStringName} "
                + "(scripts/postgres.sh start prints one for a local cluster).");
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<IAuditLog, PostgresAuditLog>();
        services.AddSingleton<AuditReader>();
        services.AddSingleton<AuditExporter>();
        services.AddSingleton<AuditChainVerifier>();
        services.AddSingleton(sp => CreateAuditAnchorStore(sp.GetRequiredService<IOptions<AuditOptions>>().Value));
        services.AddSingleton<AuditAnchorWriter>();
        services.AddHostedService<AuditAnchorService>();

        services.AddSingleton<DefinitionCatalog>();
        services.AddSingleton<OutboxRepository>();
        // The chat channels' outbox and shared token buckets (used when a channel is configured).
        services.AddSingleton<IChannelOutbox, PostgresChannelOutbox>();
        services.AddSingleton<IRateLimitBuckets, PostgresRateLimitBuckets>();
        services.AddSingleton<IChannelInbound, PostgresChannelInbound>();
        services.AddSingleton<Chat.PostgresChatKeys>();
        services.AddSingleton<IChatKeys>(sp => sp.GetRequiredService<Chat.PostgresChatKeys>());
        services.AddSingleton<IChatNotices>(sp => sp.GetRequiredService<Chat.PostgresChatKeys>());
        services.AddSingleton<ICrmOutbox, Crm.PostgresCrmOutbox>();
        services.AddSingleton<ICrmStarts, Crm.PostgresCrmStarts>();
        // The CloudEvents relay's cursors (used when events are configured).
        services.AddSingleton<IEventRelayStore, PostgresEventRelayStore>();
        return services;
    }

    /// <summary>
    /// The anchor store <see cref="AuditOptions.AnchorStore"/> selects: <see cref="BlobAuditAnchorStore"/> for <c>blob</c>,
    /// else <see cref="FileAuditAnchorStore"/>. For tools that build it without dependency injection; pass validated options.
    /// </summary>
    public static IAuditAnchorStore CreateAuditAnchorStore(AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.UsesBlobAnchorStore
            ? new BlobAuditAnchorStore(new BlobContainerClient(options.AnchorBlobConnectionString, options.AnchorContainer), options.CreateAnchorContainer)
            : new FileAuditAnchorStore(options.AnchorPath);
    }
}
