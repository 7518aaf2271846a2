using Coordinator.Events;
using Coordinator.AI;
using Coordinator.Controls;
using Coordinator.Crm.HubSpot;
using Coordinator.Channels;
using Coordinator.Channels.Rendering;
using Coordinator.Channels.Slack;
using Coordinator.Channels.Teams;
using Coordinator.Channels.Telegram;
using Coordinator.Channels.WhatsApp;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Coordinator.Hosting.Health;
using Coordinator.Hosting.SideEffects;
using Coordinator.Hosting.Telemetry;
using Coordinator.Persistence;
using Coordinator.Persistence.Inbox;
using Coordinator.Persistence.Work;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Hosting;

/// <summary>
/// The registrations both hosts share (<c>coordinator serve</c> and the Functions app), made once: the
/// definitions and the clock, the audit registry and the stores, and the default ports.
/// </summary>
public static class CoordinatorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="WorkflowRegistry"/>, the <see cref="HostClock"/>, the audit registry (PostgreSQL with the
    /// definitions catalog and the outbox when <c>ConnectionStrings:Coordinator</c> is set, else in memory: the host decides
    /// whether it may run so) and the default ports (<see cref="AddCoordinatorPorts"/>).
    /// </summary>
    public static IServiceCollection AddCoordinatorComponents(this IServiceCollection services, IConfiguration configuration, WorkflowRegistry registry, HostClock clock)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(registry);
        services.AddSingleton(registry);
        services.AddSingleton<Coordinator.Core.Ports.IServedWorkflows>(registry);
        // Who the people are and where they are reached (the channels' router and the webhooks' sender lookup read it).
        services.AddSingleton<IPersonDirectory>(registry.People);
        services.AddSingleton(clock);
        services.AddSingleton<ReadinessProbe>();
        services.AddValidatedOptions<CoordinatorTelemetryOptions>(CoordinatorTelemetryOptions.Section);
        services.AddHostedService<WorkloadGauges>();
        var persistent = !string.IsNullOrWhiteSpace(configuration.GetConnectionString(PersistenceServiceCollectionExtensions.ConnectionStringName));
        if (persistent)
        {
            services.AddCoordinatorPersistence(configuration);
        }
        else
        {
            services.AddSingleton<InMemoryAuditLog>();
            services.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<InMemoryAuditLog>());
        }
        services.AddCoordinatorPorts(durableInbox: persistent);
        // The process owners' wording of messages (templates/<workflow>/<kind>.<language>.md), checked like the definitions.
        var templates = TemplateLoader.Load(registry.Folders, [.. registry.All.Select(d => d.Id).Distinct(StringComparer.Ordinal)]);
        if (!templates.Succeeded)
            throw new DefinitionLoadException(templates.Diagnostics, "The message templates have errors; fix them and start again:\n" + string.Join('\n', templates.Diagnostics));
        services.AddSingleton(templates.Templates);
        services.AddCoordinatorChannels(configuration, persistent);
        // The agent layer's parts so far: the controls, and the model when Coordinator__Llm__Provider names one (its
        // settings are validated at start-up); nothing calls the model yet, templates write every message.
        services.AddCoordinatorControls();
        services.AddCoordinatorModel(configuration);
        return services.AddCoordinatorIntegrations(configuration, persistent, registry);
    }

    /// <summary>
    /// The other systems whose settings are configured: HubSpot (the CRM port on HubSpot, its webhook's start requests) and
    /// CloudEvents (the relay of every action to the configured receivers, the signed inbound webhook), each of which needs
    /// PostgreSQL (an outbox or a cursor keeps every update to one delivery across retries, restarts and hosts).
    /// </summary>
    public static IServiceCollection AddCoordinatorIntegrations(this IServiceCollection services, IConfiguration configuration, bool persistent, WorkflowRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(registry);
        var enabled = ConfiguredIntegrations(configuration, registry);
        if (enabled.Count == 0)
            return services;
        if (!persistent)
        {
            throw new StartupException(
                $"{string.Join(" and ", enabled)} is configured, but there is no database: the integrations keep their outboxes in PostgreSQL "
                + $"(so an update is written once across retries and restarts). Set ConnectionStrings__{PersistenceServiceCollectionExtensions.ConnectionStringName}, or remove the Coordinator__Crm__... / Coordinator__Events__... settings.");
        }
        services.AddHubSpotCrm(configuration);
        services.AddCoordinatorEvents(configuration, definitionsSendEvents: enabled.Contains("cloudevents"));
        return services;
    }

    /// <summary>The integrations configured (by their settings): <c>hubspot</c>, <c>cloudevents</c>.</summary>
    public static IReadOnlyList<string> ConfiguredIntegrations(IConfiguration configuration, WorkflowRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var integrations = new List<string>();
        if (configuration.GetSection(HubSpotOptions.Section).Get<HubSpotOptions>()?.IsConfigured ?? false)
            integrations.Add("hubspot");
        if (EventsServiceCollectionExtensions.IsConfigured(configuration) || (registry?.All.Any(static d => d.Crm?.Webhook is not null) ?? false))
            integrations.Add("cloudevents");
        return integrations;
    }

    /// <summary>
    /// The chat channels whose credentials are configured (Slack, Teams, WhatsApp, Telegram), behind the router: every notification still
    /// lands in the inbox, and people whose preferred channel is on get it there too. Channels need PostgreSQL (their
    /// outbox is what keeps each message to one send across retries, restarts and hosts).
    /// </summary>
    public static IServiceCollection AddCoordinatorChannels(this IServiceCollection services, IConfiguration configuration, bool persistent)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var enabled = ConfiguredChannels(configuration);
        if (enabled.Count == 0)
            return services;
        if (!persistent)
        {
            throw new StartupException(
                $"The {string.Join(" and ", enabled)} channel is configured, but there is no database: chat channels keep their outbox in PostgreSQL "
                + $"(so a message is sent once across retries and restarts). Set ConnectionStrings__{PersistenceServiceCollectionExtensions.ConnectionStringName}, or remove the Coordinator__Channels__... settings.");
        }
        services.AddSlackChannel(configuration);
        services.AddTeamsChannel(configuration);
        services.AddWhatsAppChannel(configuration);
        services.AddTelegramChannel(configuration);
        return services.AddChannelRouting(configuration);
    }

    /// <summary>The chat channels configured (by their settings), such as <c>slack</c>.</summary>
    public static IReadOnlyList<string> ConfiguredChannels(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var channels = new List<string>();
        if (configuration.GetSection(SlackOptions.Section).Get<SlackOptions>()?.IsConfigured ?? false)
            channels.Add("slack");
        if (configuration.GetSection(TeamsOptions.Section).Get<TeamsOptions>()?.IsConfigured ?? false)
            channels.Add("teams");
        if (configuration.GetSection(WhatsAppOptions.Section).Get<WhatsAppOptions>()?.IsConfigured ?? false)
            channels.Add("whatsapp");
        if (configuration.GetSection(TelegramOptions.Section).Get<TelegramOptions>()?.IsConfigured ?? false)
            channels.Add("telegram");
        return channels;
    }

    /// <summary>
    /// The default ports where no connector is configured: notifications go to the built-in inbox and open work to its read
    /// model (both in PostgreSQL when <paramref name="durableInbox"/>, written once per idempotency key across all workers;
    /// else in memory), CRM updates and memory records are logged.
    /// </summary>
    public static IServiceCollection AddCoordinatorPorts(this IServiceCollection services, bool durableInbox = false)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (durableInbox)
        {
            services.AddSingleton<PostgresNotificationInbox>();
            services.AddSingleton<INotificationSender>(sp => sp.GetRequiredService<PostgresNotificationInbox>());
            services.AddSingleton<INotificationInbox>(sp => sp.GetRequiredService<PostgresNotificationInbox>());
            services.AddSingleton<PostgresWorkStore>();
            services.AddSingleton<IWorkProjection>(sp => sp.GetRequiredService<PostgresWorkStore>());
            services.AddSingleton<IWorkQueries>(sp => sp.GetRequiredService<PostgresWorkStore>());
            services.AddSingleton<IStartClaims, PostgresStartClaims>();
            services.AddSingleton<IWorkloadReader, PostgresWorkload>();
        }
        else
        {
            services.AddSingleton<InboxNotificationSender>();
            services.AddSingleton<INotificationSender>(sp => sp.GetRequiredService<InboxNotificationSender>());
            services.AddSingleton<INotificationInbox>(sp => sp.GetRequiredService<InboxNotificationSender>());
            services.AddSingleton<InMemoryWorkStore>();
            services.AddSingleton<IWorkProjection>(sp => sp.GetRequiredService<InMemoryWorkStore>());
            services.AddSingleton<IWorkQueries>(sp => sp.GetRequiredService<InMemoryWorkStore>());
            services.AddSingleton<IStartClaims, InMemoryStartClaims>();
            services.AddSingleton<IWorkloadReader, InMemoryWorkload>();
        }
        services.AddSingleton<LoggedSideEffects>();
        services.AddSingleton<ICrmUpdater>(sp => sp.GetRequiredService<LoggedSideEffects>());
        services.AddSingleton<IMemoryStore>(sp => sp.GetRequiredService<LoggedSideEffects>());
        return services;
    }
}
