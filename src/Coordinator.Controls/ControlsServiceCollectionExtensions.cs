using Coordinator.Controls.Guardrail;
using Coordinator.Controls.Pii;
using Coordinator.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Coordinator.Controls;

public static class ControlsServiceCollectionExtensions
{
    /// <summary>The controls behind the core's ports: the pii-detector and the topic-guardrail (both stateless singletons, no configuration).</summary>
    public static IServiceCollection AddCoordinatorControls(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IPiiDetector, PiiDetector>();
        services.TryAddSingleton<ITopicGuardrail>(sp => new TopicGuardrail(sp.GetRequiredService<IPiiDetector>()));
        return services;
    }
}
