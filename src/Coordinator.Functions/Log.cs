using Microsoft.Extensions.Logging;

namespace Coordinator.Functions;

/// <summary>The Functions app's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Coordinator serves {Count} workflow definition(s) from {Path}: {Definitions}")]
    public static partial void DefinitionsLoaded(ILogger logger, int count, string path, string definitions);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Workflow definition warning: {Diagnostic}")]
    public static partial void DefinitionWarning(ILogger logger, string diagnostic);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Audit registry: PostgreSQL (ConnectionStrings:Coordinator); apply migrations with `coordinator db migrate` before the first start")]
    public static partial void PostgresAudit(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Audit registry: in memory, NOT durable — set ConnectionStrings:Coordinator for the PostgreSQL audit registry")]
    public static partial void InMemoryAudit(ILogger logger);
}
