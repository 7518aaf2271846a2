using Npgsql;

namespace Coordinator.Persistence.Migrations;

/// <summary>What a host asks of a database before it starts: whether its schema is migrated, and whether the login may migrate it.</summary>
public static class DatabaseReadiness
{
    /// <summary>How many embedded migrations the database lacks; -1 when it has no migration table (an empty database); 0 when the role may not read it (it is then not the owner, and an unmigrated schema shows at the first query).</summary>
    public static async Task<int> PendingMigrationsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand("SELECT to_regclass('schema_migrations') IS NOT NULL AND has_table_privilege('schema_migrations', 'SELECT'), to_regclass('schema_migrations') IS NOT NULL", connection);
        await using var reader = await exists.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var (readable, present) = (reader.GetBoolean(0), reader.GetBoolean(1));
        await reader.DisposeAsync().ConfigureAwait(false);
        if (!present)
            return -1;
        if (!readable)
            return 0;
        await using var versions = new NpgsqlCommand("SELECT version FROM schema_migrations", connection);
        var applied = new HashSet<int>();
        await using (var rows = await versions.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
                applied.Add(rows.GetInt32(0));
        }
        return MigrationRunner.Embedded.Count(m => !applied.Contains(m.Version));
    }

    /// <summary>Whether the login may run the migrations: a superuser, or the owner of the database.</summary>
    public static async Task<bool> MayMigrateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT r.rolsuper OR d.datdba = r.oid FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()", connection);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
    }
}
