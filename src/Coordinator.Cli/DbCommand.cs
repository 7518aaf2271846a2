using System.CommandLine;

namespace Coordinator.Cli;

// Placeholder: replaced by the issue that implements `coordinator db`.
internal static class DbCommand
{
    public static Command Create()
    {
        var command = new Command("db", "(not yet implemented)");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("coordinator db is not implemented yet.");
            return 2;
        });
        return command;
    }
}
