using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.Slack;

public static class SlackServiceCollectionExtensions
{
    /// <summary>
    /// Turns the Slack channel on when <c>Coordinator:Channels:Slack</c> has a setting (else does nothing): the validated
    /// options, the HTTP client (standard resilience handler; a 429 is not retried there, the outbox waits its
    /// <c>Retry-After</c>), and the <see cref="SlackChannel"/>. Answers whether it is on.
    /// </summary>
    public static bool AddSlackChannel(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SlackOptions.Section);
        if (!(section.Get<SlackOptions>()?.IsConfigured ?? false))
            return false;
        services.AddOptions<SlackOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SlackOptions>, SlackOptionsValidator>();
        services.AddHttpClient(SlackChannel.HttpClientName, (sp, client) =>
            {
                var baseUrl = sp.GetRequiredService<IOptions<SlackOptions>>().Value.ApiBaseUrl.ToString();
                client.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
            })
            .AddStandardResilienceHandler(ChannelResilience.Configure);
        services.AddSingleton<SlackChannel>();
        services.AddSingleton<IChannel>(sp => sp.GetRequiredService<SlackChannel>());
        return true;
    }
}
