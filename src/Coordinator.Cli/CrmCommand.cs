using System.CommandLine;
using Coordinator.Application;
using Coordinator.Crm.HubSpot;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordinator.Cli;

/// <summary><c>coordinator crm setup</c>: creates the HubSpot properties the definitions write (group <c>coordinator</c>), leaving existing ones alone.</summary>
public static class CrmCommand
{
    public static Command Create()
    {
        var definitions = new Option<string?>("--definitions") { Description = "Folder (or file) of workflow definitions; default workflow-definitions/." };
        var setup = new Command("setup", "Create the missing HubSpot properties (coordinator_status, ...) the definitions' crm sections name, in the property group 'coordinator'. Reads Coordinator__Crm__HubSpot__AccessToken like serve.");
        setup.Options.Add(definitions);
        setup.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var configuration = new ConfigurationBuilder().AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables().Build();
            if (string.IsNullOrWhiteSpace(configuration[$"{HubSpotOptions.Section}:AccessToken"]))
            {
                await error.WriteLineAsync("No HubSpot token: set Coordinator__Crm__HubSpot__AccessToken to the private app's access token (its scopes: docs/hubspot.md), then run this again.").ConfigureAwait(false);
                return CliDatabase.Error;
            }
            WorkflowRegistry registry;
            try
            {
                registry = WorkflowRegistry.Load([parse.GetValue(definitions) ?? "workflow-definitions"], out _);
            }
            catch (DefinitionLoadException e)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 1;
            }
            await using var services = new ServiceCollection().AddHubSpotClient(configuration).AddSingleton<HubSpotPropertySetup>().BuildServiceProvider();
            var options = services.GetRequiredService<IOptions<HubSpotOptions>>().Value;
            var served = ((Coordinator.Core.Ports.IServedWorkflows)registry).Latest;
            if (!served.Any(static d => d.Start?.HubSpot is not null || d.Crm is not null))
            {
                await output.WriteLineAsync("No definition has a start.hubspot or crm section: nothing to set up.").ConfigureAwait(false);
                return 0;
            }
            await output.WriteLineAsync($"Setting up the coordinator's properties on {options.ApiBaseUrl} ...").ConfigureAwait(false);
            try
            {
                var steps = await services.GetRequiredService<HubSpotPropertySetup>().RunAsync(served, step =>
                    output.WriteLine($"  {step.Object.ToString().ToLowerInvariant()}s: {(step.IsGroup ? "group" : "property")} {step.Name}: {(step.Created ? "created" : "exists")}"),
                    cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"Done: {steps.Count(static s => s.Created)} created, {steps.Count(static s => !s.Created)} already there.").ConfigureAwait(false);
                return 0;
            }
            catch (HubSpotException e)
            {
                var hint = e.Failure switch
                {
                    HubSpotFailure.Misconfigured => " Check the token and that the private app has the crm.schemas.deals.write (and tickets) scopes.",
                    HubSpotFailure.RateLimited => $" Try again in {Math.Ceiling(e.RetryAfter.TotalSeconds)} s.",
                    _ => " Try again in a moment.",
                };
                await error.WriteLineAsync(e.Message + hint).ConfigureAwait(false);
                return CliDatabase.Error;
            }
        });
        var command = new Command("crm", "Set up the CRM (HubSpot) for the coordinator.");
        command.Subcommands.Add(setup);
        return command;
    }
}
