namespace Coordinator.Hosting;

/// <summary>
/// A problem of configuration or environment that stops a host from starting (a port in use, a
/// database it cannot reach or may not migrate, a bad setting). Its message is one line that names
/// the setting and says what to do; hosts print it without a stack trace (<c>coordinator serve</c>
/// exits with code 2).
/// </summary>
public sealed class StartupException : Exception
{
    public StartupException()
    {
    }

    public StartupException(string message)
        : base(message)
    {
    }

    public StartupException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
