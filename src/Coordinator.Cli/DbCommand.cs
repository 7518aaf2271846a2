using System.CommandLine;
using System.Net.Sockets;
using Coordinator.Persistence;
using Coordinator.Persistence.Migrations;
using Npgsql;

namespace Coordinator.Cli;

/// <summary><c>coordinator db migrate</c>: applies the pending schema migrations.</summary>
public static class DbCommand
{
    public static Command Create()
    {
        var migrate = new Command("migrate", "Apply the pending database migrations. Connect as the database owner or a superuser, not as the application role.");
        migrate.Options.Add(CliDatabase.ConnectionOption);
        migrate.SetAction((parseResult, cancellationToken) => CliDatabase.RunAsync(parseResult, async (dataSource, output) =>
        {
            var applied = await new MigrationRunner(dataSource).ApplyAsync(cancellationToken).ConfigureAwait(false);
            foreach (var migration in applied)
            {
                await output.WriteLineAsync($"Applied {migration}").ConfigureAwait(false);
            }

            await output.WriteLineAsync(applied.Count == 0
                ? $"Database schema is up to date ({MigrationRunner.Embedded.Count} migrations)."
                : $"Applied {applied.Count} migration(s); schema is at version {MigrationRunner.Embedded[^1].Version}.").ConfigureAwait(false);
            return 0;
        }));

        var command = new Command("db", "Manage the coordinator's PostgreSQL database.");
        command.Subcommands.Add(migrate);
        return command;
    }
}

/// <summary>Connection handling shared by the database commands: where the connection string comes from and what failures mean.</summary>
internal static class CliDatabase
{
    public const string ConnectionStringVariable = "ConnectionStrings__" + PersistenceServiceCollectionExtensions.ConnectionStringName;

    public static readonly Option<string> ConnectionOption = new("--connection")
    {
        Description = $"PostgreSQL connection string (default: environment variable {ConnectionStringVariable}).",
    };

    public const int ChainBroken = 3;
    public const int Forked = 4;
    public const int Error = 2;

    /// <summary>Opens the data source and runs <paramref name="action"/>, turning connection and schema failures into messages that say what to do.</summary>
    public static async Task<int> RunAsync(ParseResult parseResult, Func<NpgsqlDataSource, TextWriter, Task<int>> action)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var error = parseResult.InvocationConfiguration.Error;
        var connectionString = parseResult.GetValue(ConnectionOption) ?? Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await error.WriteLineAsync(
                $"No database connection string: pass --connection or set {ConnectionStringVariable}. For a local cluster run scripts/postgres.sh start (it prints one).").ConfigureAwait(false);
            return Error;
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"The connection string is malformed: {ex.Message}. Expected for example Host=127.0.0.1;Port=5433;Database=coordinator;Username=...;Password=...").ConfigureAwait(false);
            return Error;
        }

        try
        {
            await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
            return await action(dataSource, output).ConfigureAwait(false);
        }
        catch (PostgresException ex)
        {
            await error.WriteLineAsync(Explain(ex, builder)).ConfigureAwait(false);
            return Error;
        }
        catch (NpgsqlException ex)
        {
            var cause = ex.InnerException is SocketException or IOException or TimeoutException ? ex.InnerException.Message : ex.Message;
            await error.WriteLineAsync(
                $"Cannot reach PostgreSQL at {builder.Host}:{builder.Port} ({cause}). Is it running? For the local cluster: scripts/postgres.sh status").ConfigureAwait(false);
            return Error;
        }
        catch (InvalidOperationException ex)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return Error;
        }
        catch (UnauthorizedAccessException ex)
        {
            await error.WriteLineAsync($"{ex.Message} Check the permissions of the folder.").ConfigureAwait(false);
            return Error;
        }
    }

    private static string Explain(PostgresException ex, NpgsqlConnectionStringBuilder builder) => ex.SqlState switch
    {
        PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
            $"PostgreSQL refused the login of '{builder.Username}': {ex.MessageText}. Check the user name and password of the connection string.",
        PostgresErrorCodes.InvalidCatalogName =>
            $"Database '{builder.Database}' does not exist on {builder.Host}:{builder.Port}. Create it (scripts/postgres.sh start creates 'coordinator').",
        PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedFunction or PostgresErrorCodes.UndefinedColumn =>
            $"The coordinator schema is missing or outdated ({ex.MessageText}). Run: coordinator db migrate --connection <owner connection string>",
        PostgresErrorCodes.InsufficientPrivilege =>
            $"Permission denied for '{builder.Username}': {ex.MessageText}. Migrations need the database owner or a superuser; audit commands need coordinator_app or coordinator_auditor.",
        _ => $"PostgreSQL error {ex.SqlState}: {ex.MessageText}",
    };
}
