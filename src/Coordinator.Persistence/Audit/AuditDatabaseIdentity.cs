using Coordinator.Persistence.Audit.Anchors;
using Npgsql;

namespace Coordinator.Persistence.Audit;

/// <summary>
/// Which database a chain lives in, as the anchors record it: read with built-in functions only
/// (<c>pg_catalog.current_database()</c>, <c>pg_catalog.pg_control_system()</c>), never a function
/// of the schema that someone with owner rights could have replaced.
/// </summary>
internal sealed record AuditDatabaseIdentity(string DatabaseName, string? SystemIdentifier)
{
    /// <summary>Whether the anchor was written for this database (an anchor without identity matches nothing).</summary>
    public bool Matches(AuditAnchor anchor) =>
        anchor.DatabaseName is not null
        && string.Equals(anchor.DatabaseName, DatabaseName, StringComparison.Ordinal)
        && (anchor.SystemIdentifier is null || SystemIdentifier is null || string.Equals(anchor.SystemIdentifier, SystemIdentifier, StringComparison.Ordinal));

    public override string ToString() => SystemIdentifier is null ? $"database '{DatabaseName}'" : $"database '{DatabaseName}' of cluster {SystemIdentifier}";

    public static async Task<AuditDatabaseIdentity> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        string name;
        await using (var command = new NpgsqlCommand("SELECT pg_catalog.current_database()", connection))
        {
            name = (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        try
        {
            await using var command = new NpgsqlCommand("SELECT system_identifier::text FROM pg_catalog.pg_control_system()", connection);
            return new AuditDatabaseIdentity(name, (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            // Some managed services restrict pg_control_system(); the name alone still identifies the database.
            return new AuditDatabaseIdentity(name, null);
        }
    }
}
