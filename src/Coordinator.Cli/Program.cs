using System.CommandLine;
using Coordinator.Cli;

var root = new RootCommand("coordinator — coordinates long-running, multi-person workflows declared in YAML.");
root.Subcommands.Add(ValidateCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(DbCommand.Create());
root.Subcommands.Add(AuditCommand.Create());
root.Subcommands.Add(CrmCommand.Create());
root.Subcommands.Add(PeopleCommand.Create());
// Ctrl+C / SIGTERM cancel the command's token; serve then stops gracefully (the Durable backend releases
// its leases, so a restart resumes at once). The default of 2 s would cut that short.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
