using Coordinator.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Coordinator.Crm.HubSpot;

public static class HubSpotServiceCollectionExtensions
{
    /// <summary>
    /// Turns HubSpot on when <c>Coordinator:Crm:HubSpot</c> has a setting (else does nothing): the validated options (with
    /// the public URL), the HTTP client, the CRM port on HubSpot (it replaces the logged one), its dispatcher (a hosted
    /// service, on every host), the start requests of the webhook and the property set-up. The host runs
    /// <see cref="HubSpotStarts"/> with its application core (serve: <see cref="HubSpotStartWorker"/>; Functions: a timer).
    /// Needs PostgreSQL (the outbox, the start requests, the shared rate limit). Answers whether it is on.
    /// </summary>
    public static bool AddHubSpotCrm(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(HubSpotOptions.Section);
        if (!(section.Get<HubSpotOptions>()?.IsConfigured ?? false))
            return false;
        services.AddHubSpotClient(configuration);
        services.AddOptions<HubSpotOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HubSpotOptions>, HubSpotOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<HubSpotRateLimit>();
        services.AddSingleton<HubSpotAudit>();
        services.AddSingleton<HubSpotDispatchSignal>();
        services.AddSingleton<HubSpotStartSignal>();
        services.AddSingleton<HubSpotStarts>();
        services.AddSingleton<HubSpotPropertySetup>();
        services.RemoveAll<ICrmUpdater>();
        services.AddSingleton<ICrmUpdater, HubSpotCrmUpdater>();
        services.AddSingleton<HubSpotDispatcher>();
        services.AddHostedService(static sp => sp.GetRequiredService<HubSpotDispatcher>());
        return true;
    }

    /// <summary>The options and the HTTP client alone (what <c>coordinator crm setup</c> needs: a token, not the webhook's settings).</summary>
    public static IServiceCollection AddHubSpotClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<HubSpotOptions>()
            .Bind(configuration.GetSection(HubSpotOptions.Section))
            .Configure(o => o.PublicBaseUrl ??= configuration[HubSpotOptions.PublicBaseUrlSetting]);
        services.AddHttpClient(HubSpotClient.HttpClientName, static client => client.Timeout = TimeSpan.FromSeconds(30));
        services.TryAddSingleton<HubSpotClient>();
        return services;
    }
}
