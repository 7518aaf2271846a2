using System.CommandLine;

namespace Coordinator.Cli;

// Placeholder: replaced by the issue that implements `coordinator simulate`.
internal static class SimulateCommand
{
    public static Command Create()
    {
        var command = new Command("simulate", "(not yet implemented)");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("coordinator simulate is not implemented yet.");
            return 2;
        });
        return command;
    }
}
