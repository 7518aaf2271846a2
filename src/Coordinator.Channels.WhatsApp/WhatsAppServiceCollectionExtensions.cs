using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.WhatsApp;

public static class WhatsAppServiceCollectionExtensions
{
    /// <summary>
    /// Turns the WhatsApp channel on when <c>Coordinator:Channels:WhatsApp</c> has a setting (else does nothing): the
    /// validated options (with <c>PublicBaseUrl</c> from the top-level <c>Coordinator:PublicBaseUrl</c>), the
    /// <c>Coordinator.Twilio</c> HTTP client (the handler that sends the Twilio package's requests to
    /// <c>ApiBaseUrl</c> and reads <c>Retry-After</c>, then the standard resilience handler; a 429 is not retried there,
    /// the outbox waits its <c>Retry-After</c>), and the <see cref="WhatsAppChannel"/>. Answers whether it is on.
    /// </summary>
    public static bool AddWhatsAppChannel(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(WhatsAppOptions.Section);
        if (!(section.Get<WhatsAppOptions>()?.IsConfigured ?? false))
            return false;
        services.AddOptions<WhatsAppOptions>().Bind(section)
            .Configure(o => o.PublicBaseUrl = configuration[WhatsAppOptions.PublicBaseUrlSetting] is { Length: > 0 } url ? url : o.PublicBaseUrl)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<WhatsAppOptions>, WhatsAppOptionsValidator>();
        services.AddTransient<TwilioApiHandler>();
        services.AddHttpClient(WhatsAppChannel.HttpClientName)
            .AddHttpMessageHandler<TwilioApiHandler>()
            .AddStandardResilienceHandler(ChannelResilience.Configure);
        services.AddSingleton<WhatsAppChannel>();
        services.AddSingleton<IChannel>(sp => sp.GetRequiredService<WhatsAppChannel>());
        return true;
    }
}
