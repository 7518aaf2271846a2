using System.CommandLine;
using Coordinator.Application;
using Coordinator.Persistence.Chat;

namespace Coordinator.Cli;

/// <summary>
/// <c>coordinator people key PERSON</c> creates the person's key for the OpenAI-compatible chat endpoint;
/// <c>coordinator people revoke PERSON</c> revokes all of them, on every host at once.
/// </summary>
public static class PeopleCommand
{
    public static Command Create()
    {
        var person = new Argument<string>("person") { Description = "The person's id in the directory (people.yaml), e.g. it.lead." };
        var definitions = new Option<string?>("--definitions") { Description = "Folder of workflow definitions and people.yaml; default workflow-definitions/." };
        var key = new Command("key",
            "Create a key for the chat endpoint (/v1/chat/completions) that opens the person's own work to any OpenAI-compatible client. "
            + "Prints the key alone on the last line, once: only its SHA-256 is stored, so running hosts accept it at once and nobody can read it back.");
        key.Arguments.Add(person);
        key.Options.Add(definitions);
        key.Options.Add(CliDatabase.ConnectionOption);
        key.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var personId = parse.GetValue(person)!;
            WorkflowRegistry registry;
            try
            {
                // The directory serve reads: people.yaml next to the definitions, or Coordinator__Directory.
                var directory = Environment.GetEnvironmentVariable("Coordinator__Directory");
                registry = WorkflowRegistry.Load([parse.GetValue(definitions) ?? "workflow-definitions"], out _, string.IsNullOrWhiteSpace(directory) ? null : directory);
            }
            catch (DefinitionLoadException e)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return 1;
            }
            if (registry.People.Find(personId) is not { } found)
            {
                var known = registry.People.People.Select(static p => p.Id).Order(StringComparer.Ordinal).ToList();
                await error.WriteLineAsync(known.Count == 0
                    ? $"'{personId}' is not in the directory: there is no people.yaml next to the definitions. Add the person there, then run this again."
                    : $"'{personId}' is not in the directory (people.yaml). People: {string.Join(", ", known)}.").ConfigureAwait(false);
                return 1;
            }
            return await CliDatabase.RunAsync(parse, async (dataSource, output) =>
            {
                var created = await new PostgresChatKeys(dataSource).CreateAsync(found.Id, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync(
                    $"Created a chat key for {found.Name} ({found.Id}). Give it to them once, privately: it is not stored and cannot be shown again. "
                    + "In their chat client: base URL <coordinator>/v1, model 'coordinator', this key as the API key.").ConfigureAwait(false);
                await output.WriteLineAsync(created).ConfigureAwait(false);
                return 0;
            }).ConfigureAwait(false);
        });
        var revokePerson = new Argument<string>("person") { Description = "The person's id, as given to 'people key'." };
        var revoke = new Command("revoke",
            "Revoke every chat endpoint key of the person: running hosts refuse them at the next request. "
            + "Works for people already removed from the directory too.");
        revoke.Arguments.Add(revokePerson);
        revoke.Options.Add(CliDatabase.ConnectionOption);
        revoke.SetAction(async (parse, cancellationToken) =>
        {
            var personId = parse.GetValue(revokePerson)!;
            return await CliDatabase.RunAsync(parse, async (dataSource, output) =>
            {
                var revoked = await new PostgresChatKeys(dataSource).RevokeAsync(personId, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync(revoked == 0
                    ? $"'{personId}' has no valid chat key; nothing was changed."
                    : $"Revoked {revoked} chat key{(revoked == 1 ? "" : "s")} of '{personId}'. Their chat client is refused from its next request; 'coordinator people key {personId}' makes a new one.").ConfigureAwait(false);
                return 0;
            }).ConfigureAwait(false);
        });
        var command = new Command("people", "The people of the directory and their access.");
        command.Subcommands.Add(key);
        command.Subcommands.Add(revoke);
        return command;
    }
}
