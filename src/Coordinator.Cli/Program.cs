using System.CommandLine;
using Coordinator.Cli;

var root = new RootCommand("coordinator — coordinates long-running, multi-person workflows declared in YAML.");
root.Subcommands.Add(ValidateCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(DbCommand.Create());
root.Subcommands.Add(AuditCommand.Create());
return await root.Parse(args).InvokeAsync();
