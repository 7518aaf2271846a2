using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Coordinator.Hosting;
using Coordinator.Hosting.Api;
using Coordinator.Hosting.SideEffects;
using Coordinator.Persistence.Audit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Functions.Tests;

/// <summary><see cref="FunctionsServiceCollectionExtensions.AddCoordinatorFunctions"/>: what Program.cs registers.</summary>
public sealed class CompositionTests
{
    /// <summary>As the worker composes it: its host registers the configuration (as every .NET host does), then Program.cs calls AddCoordinatorFunctions.</summary>
    private static IServiceCollection Compose(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddCoordinatorFunctions(configuration);
    }

    /// <summary>A development composition without an audit database (allowed explicitly).</summary>
    private static IServiceCollection ComposeForDevelopment(Dictionary<string, string?>? settings = null) =>
        Compose(new(settings ?? []) { ["Coordinator:AllowInMemoryAudit"] = "true" });

    [Fact]
    public void AddCoordinatorFunctions_DefaultConfiguration_ServesTheSampleDefinitionsCopiedToTheAppFolder()
    {
        using var services = ComposeForDevelopment().BuildServiceProvider();

        var registry = services.GetRequiredService<WorkflowRegistry>();
        Assert.Equal(["auto-liability-claim", "b2b-onboarding", "it-change-management"], registry.All.Select(d => d.Id));
        Assert.Equal(1, services.GetRequiredService<HostClock>().TimeScale);
    }

    [Fact]
    public void AddCoordinatorFunctions_NoConnectionString_RefusesToStartNamingTheSettings()
    {
        var error = Assert.Throws<StartupException>(() => Compose([]));

        Assert.Contains("ConnectionStrings__Coordinator", error.Message, StringComparison.Ordinal);
        Assert.Contains("Coordinator__AllowInMemoryAudit=true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCoordinatorFunctions_NoConnectionStringAndInMemoryAuditAllowed_UsesTheBuiltInPorts()
    {
        using var services = ComposeForDevelopment().BuildServiceProvider();

        Assert.IsType<InMemoryAuditLog>(services.GetRequiredService<IAuditLog>());
        Assert.IsType<InboxNotificationSender>(services.GetRequiredService<INotificationSender>());
        Assert.IsType<LoggedSideEffects>(services.GetRequiredService<ICrmUpdater>());
        Assert.IsType<LoggedSideEffects>(services.GetRequiredService<IMemoryStore>());
        Assert.NotNull(ActivatorUtilities.CreateInstance<ActivityFunctions>(services));
    }

    [Fact]
    public void AddCoordinatorFunctions_ConnectionStringSet_RegistersThePostgresAuditRegistry()
    {
        var services = Compose(new() { ["ConnectionStrings:Coordinator"] = "Host=127.0.0.1;Database=coordinator;Username=app" });

        var auditLog = services.Single(d => d.ServiceType == typeof(IAuditLog));
        Assert.Equal(typeof(PostgresAuditLog), auditLog.ImplementationType);
    }

    [Fact]
    public void AddCoordinatorFunctions_SlackConfigured_RoutesNotificationsThroughTheChannelsAndDispatchesThem()
    {
        var composition = Compose(new()
        {
            ["ConnectionStrings:Coordinator"] = "Host=127.0.0.1;Database=coordinator;Username=app",
            ["Coordinator:Channels:Slack:BotToken"] = "xoxb-1-2-3",
            ["Coordinator:Channels:Slack:SigningSecret"] = "secret",
        });
        using var services = composition.BuildServiceProvider();

        Assert.IsType<Coordinator.Channels.ChannelRouter>(services.GetRequiredService<INotificationSender>());
        Assert.Contains(composition, d => d.ServiceType == typeof(Microsoft.Extensions.Hosting.IHostedService) && d.ImplementationType == typeof(Coordinator.Channels.ChannelDispatcher));
        Assert.Equal(ChannelKind.Slack, Assert.Single(services.GetServices<Coordinator.Channels.IChannel>()).Kind);
    }

    [Fact]
    public void AddCoordinatorFunctions_AllFourChannelsConfigured_SendsThroughEachOfThem()
    {
        var composition = Compose(new()
        {
            ["ConnectionStrings:Coordinator"] = "Host=127.0.0.1;Database=coordinator;Username=app",
            ["Coordinator:PublicBaseUrl"] = "https://coordinator.example.com",
            ["Coordinator:Channels:Slack:BotToken"] = "xoxb-1-2-3",
            ["Coordinator:Channels:Slack:SigningSecret"] = "secret",
            ["Coordinator:Channels:Teams:AppId"] = "8e0b3f6a-55c2-4c5e-9a4b-2f1d7c9e0a11",
            ["Coordinator:Channels:Teams:AppPassword"] = "app-password",
            ["Coordinator:Channels:WhatsApp:AccountSid"] = "AC0123456789abcdef0123456789abcdef",
            ["Coordinator:Channels:WhatsApp:AuthToken"] = "0123456789abcdef0123456789abcdef",
            ["Coordinator:Channels:WhatsApp:From"] = "whatsapp:+14155238886",
            ["Coordinator:Channels:Telegram:BotToken"] = "7000000001:AAHloopback_loopback-loopback012345",
            ["Coordinator:Channels:Telegram:WebhookSecret"] = "webhook-secret",
        });
        using var services = composition.BuildServiceProvider();

        Assert.IsType<Coordinator.Channels.ChannelRouter>(services.GetRequiredService<INotificationSender>());
        Assert.Equal([ChannelKind.Slack, ChannelKind.Teams, ChannelKind.WhatsApp, ChannelKind.Telegram],
            services.GetServices<Coordinator.Channels.IChannel>().Select(c => c.Kind));
        // The worker creates the function classes from the container on each invocation.
        Assert.NotNull(ActivatorUtilities.CreateInstance<ChannelFunctions>(services));
        Assert.NotNull(ActivatorUtilities.CreateInstance<MaintenanceFunctions>(services));
    }

    [Fact]
    public void AddCoordinatorFunctions_HubSpotAndCloudEventsConfigured_UpdatesTheCrmAndRelaysEvents()
    {
        var composition = Compose(new()
        {
            ["ConnectionStrings:Coordinator"] = "Host=127.0.0.1;Database=coordinator;Username=app",
            ["Coordinator:PublicBaseUrl"] = "https://coordinator.example.com",
            ["Coordinator:Crm:HubSpot:AccessToken"] = "pat-eu1-00000000-0000-0000-0000-000000000000",
            ["Coordinator:Crm:HubSpot:ClientSecret"] = "hubspot-client-secret",
            ["Coordinator:Events:Webhook:Url"] = "https://tickets.example.com/hooks/coordinator",
            ["Coordinator:Events:Webhook:Secret"] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        });
        using var services = composition.BuildServiceProvider();

        Assert.IsNotType<LoggedSideEffects>(services.GetRequiredService<ICrmUpdater>());
        var hosted = services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().ToList();
        Assert.Single(hosted.OfType<Coordinator.Crm.HubSpot.HubSpotDispatcher>());
        Assert.Single(hosted.OfType<Coordinator.Events.EventRelay>());
        Assert.NotNull(services.GetRequiredService<Coordinator.Crm.HubSpot.HubSpotStarts>());
        // The worker creates the function classes (the webhooks' and the starts' triggers) from the container.
        Assert.NotNull(ActivatorUtilities.CreateInstance<ChannelFunctions>(services));
    }

    [Fact]
    public void AddCoordinatorFunctions_ModelConfigured_RegistersOneChatClientAndTheControls()
    {
        using var services = ComposeForDevelopment(new()
        {
            ["Coordinator:Llm:Provider"] = "openai-compatible",
            ["Coordinator:Llm:Endpoint"] = "https://api.mistral.ai/v1",
            ["Coordinator:Llm:Model"] = "mistral-small-latest",
            ["Coordinator:Llm:ApiKey"] = "sk-test",
        }).BuildServiceProvider();

        Assert.NotNull(services.GetRequiredService<Microsoft.Extensions.AI.IChatClient>());
        Assert.NotNull(services.GetRequiredService<IPiiDetector>());
        Assert.NotNull(services.GetRequiredService<ITopicGuardrail>());
    }

    [Fact]
    public void AddCoordinatorFunctions_NoModelConfigured_RegistersNoChatClient()
    {
        using var services = ComposeForDevelopment().BuildServiceProvider();

        Assert.Null(services.GetService<Microsoft.Extensions.AI.IChatClient>());
    }

    [Fact]
    public void AddCoordinatorFunctions_ModelWithoutItsName_FailsAtStartNamingTheSetting()
    {
        using var services = ComposeForDevelopment(new()
        {
            ["Coordinator:Llm:Provider"] = "openai-compatible",
            ["Coordinator:Llm:Endpoint"] = "https://api.mistral.ai/v1",
            ["Coordinator:Llm:ApiKey"] = "sk-test",
        }).BuildServiceProvider();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate());
        Assert.Contains("Coordinator__Llm__Model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCoordinatorFunctions_HubSpotConfiguredWithoutADatabase_RefusesToStartSayingWhy()
    {
        var error = Assert.Throws<StartupException>(() => ComposeForDevelopment(new()
        {
            ["Coordinator:Crm:HubSpot:AccessToken"] = "pat-eu1-00000000-0000-0000-0000-000000000000",
            ["Coordinator:Crm:HubSpot:ClientSecret"] = "hubspot-client-secret",
        }));

        Assert.Contains("hubspot is configured, but there is no database", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__Coordinator", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCoordinatorFunctions_DefaultConfiguration_ServesTheSampleMessageTemplatesCopiedWithTheDefinitions()
    {
        using var services = ComposeForDevelopment().BuildServiceProvider();

        var templates = services.GetRequiredService<Coordinator.Channels.Rendering.TemplateSet>();
        Assert.Equal(1, templates.OverrideCount);
        var reminder = templates.For("b2b-onboarding", Coordinator.Channels.Rendering.MessageKind.Reminder, "it")
            .Render(new Dictionary<string, string> { ["step"] = "IT set-up", ["business_key"] = "D-1", ["time_left"] = "2 giorni" });
        Assert.StartsWith("*Promemoria: IT set-up per D-1 scade tra 2 giorni*", reminder, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCoordinatorFunctions_SlackConfiguredWithoutADatabase_RefusesToStartSayingWhy()
    {
        var error = Assert.Throws<StartupException>(() => ComposeForDevelopment(new() { ["Coordinator:Channels:Slack:BotToken"] = "xoxb-1-2-3" }));

        Assert.Contains("slack channel is configured, but there is no database", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__Coordinator", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCoordinatorFunctions_DefinitionWithErrors_ThrowsNamingTheFile()
    {
        var folder = Directory.CreateTempSubdirectory("coordinator-functions-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "broken.yaml"), "schema: coordinator/v1\nid: broken\nversion: 1\nstepz: []\n");

            var error = Assert.Throws<DefinitionLoadException>(() => ComposeForDevelopment(new() { ["Coordinator:DefinitionsPath"] = folder.FullName }));

            Assert.Contains("broken.yaml", error.Message, StringComparison.Ordinal);
            Assert.NotEmpty(error.Diagnostics);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void AddCoordinatorFunctions_DefaultConfiguration_ServesThePeopleDirectoryCopiedWithTheDefinitions()
    {
        using var services = ComposeForDevelopment().BuildServiceProvider();

        var directory = services.GetRequiredService<IPersonDirectory>();
        Assert.True(directory.IsConfigured);
        Assert.Equal("Marco Ferri", directory.Find("it.engineer")?.Name);
    }

    [Fact]
    public void AddCoordinatorFunctions_DirectorySettingWithAnError_ThrowsNamingTheFileLineAndRule()
    {
        var folder = Directory.CreateTempSubdirectory("coordinator-functions-");
        try
        {
            var file = Path.Combine(folder.FullName, "team.yaml");
            File.WriteAllText(file, "schema: coordinator/people-v1\npeople:\n  it.engineer: { name: Marco Ferri, channel: slack }\n");

            var error = Assert.Throws<DefinitionLoadException>(() => ComposeForDevelopment(new() { ["Coordinator:Directory"] = file }));

            Assert.Contains($"{file}(3,46): error WF0401: person 'it.engineer' prefers slack but has no 'slack' handle", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void AddCoordinatorFunctions_TimeScaleBelowOne_ThrowsNamingTheSetting()
    {
        var error = Assert.Throws<StartupException>(() => ComposeForDevelopment(new() { ["Coordinator:TimeScale"] = "0.5" }));

        Assert.Contains("Coordinator__TimeScale", error.Message, StringComparison.Ordinal);
    }
}
