using Microsoft.Extensions.Logging;

namespace Coordinator.Persistence;

/// <summary>Source-generated log messages of Coordinator.Persistence.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Applied database migration {Migration}")]
    public static partial void MigrationApplied(ILogger logger, string migration);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Database schema is up to date ({Count} migrations)")]
    public static partial void MigrationsUpToDate(ILogger logger, int count);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Anchored the audit chain head at seq {Seq}, hash {Hash}")]
    public static partial void AnchorWritten(ILogger logger, long seq, string hash);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Error, Message = "Could not anchor the audit chain head; will retry at the next interval")]
    public static partial void AnchorFailed(ILogger logger, Exception exception);
}
