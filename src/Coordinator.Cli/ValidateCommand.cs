using System.CommandLine;

namespace Coordinator.Cli;

// Placeholder: replaced by the issue that implements `coordinator validate`.
internal static class ValidateCommand
{
    public static Command Create()
    {
        var command = new Command("validate", "(not yet implemented)");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("coordinator validate is not implemented yet.");
            return 2;
        });
        return command;
    }
}
