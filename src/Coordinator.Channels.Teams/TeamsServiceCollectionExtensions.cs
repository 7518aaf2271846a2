using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Coordinator.Channels.Teams;

public static class TeamsServiceCollectionExtensions
{
    /// <summary>
    /// Turns the Teams channel on when <c>Coordinator:Channels:Teams</c> has a credential (else does nothing): the
    /// validated options, the token source, the keys and authenticator of the webhook, the HTTP clients (the connector's
    /// with the standard resilience handler; a 429 is left to the outbox) and the <see cref="TeamsChannel"/>.
    /// Answers whether it is on.
    /// </summary>
    public static bool AddTeamsChannel(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(TeamsOptions.Section);
        if (!(section.Get<TeamsOptions>()?.IsConfigured ?? false))
            return false;
        services.AddOptions<TeamsOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<TeamsOptions>, TeamsOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(TeamsChannel.HttpClientName).AddStandardResilienceHandler(ChannelResilience.Configure);
        services.AddHttpClient(TeamsTokenSource.HttpClientName).AddStandardResilienceHandler();
        services.AddHttpClient(TeamsSigningKeys.HttpClientName).AddStandardResilienceHandler();
        services.AddSingleton<TeamsTokenSource>();
        services.AddSingleton<TeamsSigningKeys>();
        services.AddSingleton<TeamsAuthenticator>();
        services.AddSingleton<TeamsChannel>();
        services.AddSingleton<IChannel>(sp => sp.GetRequiredService<TeamsChannel>());
        return true;
    }
}
