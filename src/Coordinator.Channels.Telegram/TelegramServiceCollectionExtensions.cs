using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.Telegram;

public static class TelegramServiceCollectionExtensions
{
    /// <summary>
    /// Turns the Telegram channel on when <c>Coordinator:Channels:Telegram</c> has a setting (else does nothing): the
    /// validated options, the HTTP client (standard resilience handler; a 429 is not retried there nor by the Telegram.Bot
    /// package, the outbox waits its <c>retry_after</c>), and the <see cref="TelegramChannel"/>. Answers whether it is on.
    /// </summary>
    public static bool AddTelegramChannel(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(TelegramOptions.Section);
        if (!(section.Get<TelegramOptions>()?.IsConfigured ?? false))
            return false;
        services.AddOptions<TelegramOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelegramOptions>, TelegramOptionsValidator>();
        services.AddHttpClient(TelegramChannel.HttpClientName).AddStandardResilienceHandler(ChannelResilience.Configure);
        services.AddSingleton<TelegramChannel>();
        services.AddSingleton<IChannel>(sp => sp.GetRequiredService<TelegramChannel>());
        return true;
    }
}
