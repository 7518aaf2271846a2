using Coordinator.Channels.Rendering;
using Coordinator.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Coordinator.Channels;

public static class ChannelsServiceCollectionExtensions
{
    /// <summary>
    /// Puts the chat channels behind the notification port: the <see cref="INotificationSender"/> registered so far (the
    /// inbox) becomes the <see cref="ChannelRouter"/>'s inner sender, and the <see cref="ChannelDispatcher"/> runs on this
    /// host. Call it after the inbox and the channels (<c>AddSlackChannel</c>, ...) are registered, and only when at
    /// least one channel is on; the outbox and the buckets (<see cref="IChannelOutbox"/>, <see cref="IRateLimitBuckets"/>)
    /// come from the persistence.
    /// </summary>
    public static IServiceCollection AddChannelRouting(this IServiceCollection services, IConfiguration configuration, TemplateSet? templates = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var inbox = services.LastOrDefault(d => d.ServiceType == typeof(INotificationSender))
            ?? throw new InvalidOperationException("AddChannelRouting needs the inbox's INotificationSender registered first.");
        services.Remove(inbox);
        services.TryAddSingleton(TimeProvider.System);
        if (templates is not null)
            services.AddSingleton(templates);
        else
            services.TryAddSingleton(TemplateSet.BuiltIn);
        services.TryAddSingleton<MessageRenderer>();
        services.AddSingleton<ChannelDispatchSignal>();
        services.AddOptions<ChannelDispatchOptions>().Bind(configuration.GetSection(ChannelDispatchOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<INotificationSender>(sp => new ChannelRouter(
            Resolve(sp, inbox),
            sp.GetServices<IChannel>(),
            sp.GetRequiredService<Core.People.IPersonDirectory>(),
            sp.GetRequiredService<IChannelOutbox>(),
            sp.GetRequiredService<ChannelDispatchSignal>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<MessageRenderer>(),
            // Registered only when a model is configured: without one the templates write every message.
            sp.GetService<IMessageDrafter>()));
        services.AddHostedService<ChannelDispatcher>();
        // Inbound: the webhooks keep replies and audit refusals; AddReplyWorker turns the replies into events.
        services.TryAddSingleton<ChannelAudit>();
        services.AddSingleton<ReplySignal>();
        services.AddSingleton<Replies.ReplyBatch>();
        return services;
    }

    /// <summary>
    /// Runs the <see cref="Replies.ReplyWorker"/> on this host: the replies the webhooks keep become events through
    /// <paramref name="services"/>' <see cref="Replies.IHumanEventGateway"/> (registered here from the host's core).
    /// </summary>
    public static IServiceCollection AddReplyWorker<TGateway>(this IServiceCollection services)
        where TGateway : class, Replies.IHumanEventGateway
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddReplyHandling<TGateway>();
        services.AddHostedService<Replies.ReplyWorker>();
        return services;
    }

    /// <summary>
    /// The <see cref="Replies.ReplyHandler"/> and what it needs, for the channels that answer at once (the chat endpoint)
    /// as well as the reply worker: people's words become events through <typeparamref name="TGateway"/>. Needs the
    /// database's <see cref="IChannelInbound"/> (the questions asked of people are kept there).
    /// </summary>
    public static IServiceCollection AddReplyHandling<TGateway>(this IServiceCollection services)
        where TGateway : class, Replies.IHumanEventGateway
    {
        services.AddReplyHandlingParts();
        services.TryAddSingleton<Replies.IHumanEventGateway, TGateway>();
        services.TryAddSingleton<Replies.ReplyHandler>();
        return services;
    }

    /// <summary>
    /// What a <see cref="Replies.ReplyHandler"/> needs besides its gateway (the templates, the renderer, the channels'
    /// audit), for hosts that make the handler per request with a gateway of their own (the Functions app, whose core
    /// needs the trigger's Durable client).
    /// </summary>
    public static IServiceCollection AddReplyHandlingParts(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(TemplateSet.BuiltIn);
        services.TryAddSingleton<MessageRenderer>();
        services.TryAddSingleton<ChannelAudit>();
        return services;
    }

    private static INotificationSender Resolve(IServiceProvider services, ServiceDescriptor descriptor) =>
        (INotificationSender)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));
}
