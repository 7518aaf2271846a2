using System.Text.Json.Serialization;
using Coordinator.Hosting;
using Coordinator.Orchestration.Activities;
using Coordinator.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Functions;

/// <summary>The Functions app's composition: the same definitions, ports and activities as <c>coordinator serve</c>.</summary>
public static class FunctionsServiceCollectionExtensions
{
    /// <summary>
    /// Loads and validates the workflow definitions from <c>Coordinator:DefinitionsPath</c> (relative paths
    /// resolve against the app folder, where the build copies <c>workflow-definitions/*.yaml</c>), and registers
    /// the <see cref="WorkflowRegistry"/>, the <see cref="HostClock"/> (<c>Coordinator:TimeScale</c>), the ports,
    /// the activity classes and the HTTP JSON options. The audit registry is PostgreSQL
    /// (<c>ConnectionStrings:Coordinator</c>); without it the app refuses to start (<see cref="StartupException"/>)
    /// unless <c>Coordinator:AllowInMemoryAudit</c> allows an in-memory audit for development.
    /// Throws <see cref="DefinitionLoadException"/> (every diagnostic with file, line and column) when a
    /// definition has errors, so the worker refuses to start.
    /// </summary>
    public static IServiceCollection AddCoordinatorFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(CoordinatorHostOptions.Section).Get<CoordinatorHostOptions>() ?? new CoordinatorHostOptions();
        // Read here for the composition (the definitions, the clock); bound and validated at start-up for everything else.
        if (!CoordinatorHostOptions.IsTimeScale(options.TimeScale))
            throw new StartupException($"{CoordinatorHostOptions.TimeScaleProblem} Got {options.TimeScale}; fix the app setting Coordinator__TimeScale.");
        services.AddValidatedOptions<CoordinatorHostOptions>(CoordinatorHostOptions.Section);

        var definitionsPath = Path.GetFullPath(options.DefinitionsPath, AppContext.BaseDirectory);
        var directoryFile = string.IsNullOrWhiteSpace(options.Directory) ? null : Path.GetFullPath(options.Directory, AppContext.BaseDirectory);
        var registry = WorkflowRegistry.Load([definitionsPath], out var warnings, directoryFile);
        var persistent = !string.IsNullOrWhiteSpace(configuration.GetConnectionString(PersistenceServiceCollectionExtensions.ConnectionStringName));
        if (!persistent && !options.AllowInMemoryAudit)
        {
            // In production an in-memory audit would be one registry per worker, lost at every scale-in: refuse.
            throw new StartupException(
                "The Functions app has no audit database: set the app setting ConnectionStrings__Coordinator to PostgreSQL's application role (see docs/audit.md). "
                + "For local development only, Coordinator__AllowInMemoryAudit=true keeps the audit in memory (not durable, one per worker).");
        }
        services.AddCoordinatorComponents(configuration, registry, new HostClock(options.TimeScale));
        services.AddCoordinatorActivities();
        // The chat endpoint (ChatFunctions) makes its reply handler per request, from these and the trigger's Durable client.
        if (persistent)
            Coordinator.Channels.ChannelsServiceCollectionExtensions.AddReplyHandlingParts(services);
        services.AddSingleton(new StartupFacts(definitionsPath, warnings, persistent));
        services.AddHostedService<StartupReport>();

        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        return services;
    }

    /// <summary>The activity classes of <c>Coordinator.Orchestration</c>, resolved by the activity functions.</summary>
    public static IServiceCollection AddCoordinatorActivities(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddTransient<NotifyPeople>();
        services.AddTransient<AppendAuditEntries>();
        services.AddTransient<UpdateCrm>();
        services.AddTransient<RecordMemory>();
        services.AddTransient<ProjectWork>();
        return services;
    }
}
