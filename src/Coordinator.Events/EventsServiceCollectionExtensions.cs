using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Coordinator.Events;

public static class EventsServiceCollectionExtensions
{
    /// <summary>The section whose presence turns events on: the host-wide webhook and the definitions' secret settings live under it.</summary>
    public const string Section = "Coordinator:Events";

    /// <summary>
    /// Turns CloudEvents on when <c>Coordinator:Events</c> has a setting (else does nothing): the validated options
    /// (<c>Coordinator:Events:Webhook</c>, <c>Coordinator:PublicBaseUrl</c>), the audit rows, the relay's HTTP client
    /// and the <see cref="EventRelay"/> as a hosted service (serve and the Functions worker alike). The host provides
    /// <see cref="IEventRelayStore"/> (PostgreSQL), <see cref="IServedWorkflows"/> and, for the inbound webhook,
    /// <see cref="Core.Ports.IWorkGateway"/>. Answers whether it is on.
    /// </summary>
    /// <param name="definitionsSendEvents">A served definition has a <c>crm.webhook</c>: events are on even without host settings, so a
    /// missing secret setting stops the host with its name instead of the definition's events being dropped silently.</param>
    public static bool AddCoordinatorEvents(this IServiceCollection services, IConfiguration configuration, bool definitionsSendEvents = false)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (!definitionsSendEvents && !IsConfigured(configuration))
            return false;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<EventsOptions>()
            .Bind(configuration.GetSection(EventsOptions.Section))
            .PostConfigure(o => o.PublicBaseUrl ??= Uri.TryCreate(configuration[EventsOptions.PublicBaseUrlSetting], UriKind.Absolute, out var url) ? url : null)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventsOptions>, EventsOptionsValidator>();
        services.AddSingleton<EventsAudit>();
        services.AddHttpClient(EventRelay.HttpClientName)
            .ConfigureHttpClient((sp, client) => client.Timeout = sp.GetRequiredService<IOptions<EventsOptions>>().Value.RequestTimeout);
        services.AddHostedService<EventRelay>();
        return true;
    }

    /// <summary>Whether any <c>Coordinator:Events</c> setting is given.</summary>
    public static bool IsConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.GetSection(Section).AsEnumerable().Any(static pair => !string.IsNullOrEmpty(pair.Value));
    }
}
