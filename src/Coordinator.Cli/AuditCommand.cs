using System.CommandLine;

namespace Coordinator.Cli;

// Placeholder: replaced by the issue that implements `coordinator audit`.
internal static class AuditCommand
{
    public static Command Create()
    {
        var command = new Command("audit", "(not yet implemented)");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("coordinator audit is not implemented yet.");
            return 2;
        });
        return command;
    }
}
