using System.Net;
using System.Net.Sockets;
using Coordinator.Persistence.Migrations;
using Npgsql;

namespace Coordinator.Hosting;

/// <summary>
/// What <c>coordinator serve</c> checks before it starts anything, so that a wrong setting is one line
/// that says what to fix, before a migration ran or an anchor was written: the ports are free, the
/// database answers with the configured login, and its schema is migrated (by serve itself when the
/// configured role may).
/// </summary>
internal static class StartupChecks
{
    private const string ApplicationSetting = "ConnectionStrings:Coordinator";
    private const string MigrationsSetting = "ConnectionStrings:CoordinatorMigrations";

    /// <summary>Throws <see cref="StartupException"/> when another process listens on one of the addresses.</summary>
    public static void EnsurePortsFree(IReadOnlyList<PublicEndpoints> endpoints)
    {
        foreach (var endpoint in endpoints)
        {
            var address = endpoint.Host switch
            {
                "localhost" => IPAddress.Loopback,
                "0.0.0.0" => IPAddress.Any,
                _ => IPAddress.TryParse(endpoint.Host, out var parsed) ? parsed : null,
            };
            if (address is null)
                continue; // PublicEndpoints.Listen names the problem
            var probe = new TcpListener(address, endpoint.Port);
            // As Kestrel binds on Linux (SO_REUSEADDR): only another listener refuses it, not connections of a
            // previous server still in TIME_WAIT.
            if (!OperatingSystem.IsWindows())
                probe.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try
            {
                probe.Start();
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
            {
                throw new StartupException(e.SocketErrorCode == SocketError.AddressAlreadyInUse
                    ? $"Port {endpoint.Port} is in use ({endpoint.Url}): another process listens there (another coordinator serve?). Stop it, or choose another address with --urls."
                    : $"Not allowed to listen on {endpoint.Url} (ports below 1024 need privileges). Choose another address with --urls.", e);
            }
            finally
            {
                probe.Stop();
            }
        }
    }

    /// <summary>
    /// Opens the database with the application's login and brings its schema up to date: with
    /// <c>ConnectionStrings:CoordinatorMigrations</c> when given, otherwise with the application's
    /// login when it may (a superuser, or the database's owner). Returns the number of migrations
    /// applied. Throws <see cref="StartupException"/> (one line) when the database cannot be reached,
    /// refuses the login, or has migrations pending that nobody configured may apply.
    /// </summary>
    public static async Task<int> PrepareDatabaseAsync(string applicationConnection, string? migrationsConnection, TextWriter progress, CancellationToken cancellationToken)
    {
        await using var application = CreateDataSource(applicationConnection, ApplicationSetting);
        int pending;
        bool mayMigrate;
        await using (var connection = await OpenAsync(application, applicationConnection, ApplicationSetting, cancellationToken).ConfigureAwait(false))
        {
            pending = await DatabaseReadiness.PendingMigrationsAsync(connection, cancellationToken).ConfigureAwait(false);
            mayMigrate = await DatabaseReadiness.MayMigrateAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        if (!string.IsNullOrWhiteSpace(migrationsConnection))
        {
            progress.WriteLine($"Applying database migrations ({MigrationsSetting}) ...");
            await using var owner = CreateDataSource(migrationsConnection, MigrationsSetting);
            return await MigrateAsync(owner, migrationsConnection, MigrationsSetting, progress, cancellationToken).ConfigureAwait(false);
        }
        if (pending == 0)
            return 0;
        if (!mayMigrate)
        {
            var target = new NpgsqlConnectionStringBuilder(applicationConnection);
            var what = pending < 0
                ? $"The database '{target.Database}' has no Coordinator schema yet"
                : $"The database '{target.Database}' has {pending} migration(s) to apply";
            throw new StartupException(
                $"{what}, and the role '{target.Username}' of {ApplicationSetting} may not apply them (only the owner or a superuser may). "
                + $"Run `coordinator db migrate --connection \"<owner's connection string>\"` once, or set {MigrationsSetting} to the owner's connection string.");
        }
        progress.WriteLine($"Applying database migrations ({ApplicationSetting}: its role owns the database) ...");
        return await MigrateAsync(application, applicationConnection, ApplicationSetting, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One line for a PostgreSQL failure at start-up: what went wrong, with which setting, and what to do.</summary>
    public static string Describe(NpgsqlException e, string connectionString, string setting)
    {
        ArgumentNullException.ThrowIfNull(e);
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var where = $"{target.Host ?? "localhost"}:{target.Port}, database '{target.Database}'";
        return e switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } p =>
                $"PostgreSQL at {where} refused the login of '{target.Username}' ({p.MessageText}). Fix the user name or password in {setting}.",
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } =>
                $"PostgreSQL at {target.Host ?? "localhost"}:{target.Port} has no database '{target.Database}'. Create it (locally: scripts/postgres.sh start) or fix Database= in {setting}.",
            PostgresException { SqlState: PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedFunction } p =>
                $"The database at {where} is not migrated ({p.MessageText}). Run `coordinator db migrate --connection \"<owner's connection string>\"`, or set {MigrationsSetting}.",
            PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } p =>
                $"PostgreSQL at {where} refused an operation to '{target.Username}' ({p.MessageText}). Use the role the migrations grant (coordinator_app) in {setting}, and the owner in {MigrationsSetting}.",
            PostgresException p =>
                $"PostgreSQL at {where} answered {p.SqlState}: {p.MessageText}. Check {setting}.",
            _ when e.InnerException is SocketException or TimeoutException || e.IsTransient =>
                $"Cannot reach PostgreSQL at {target.Host ?? "localhost"}:{target.Port} ({OneLine(e.GetBaseException().Message)}). Start it (locally: scripts/postgres.sh start) or fix Host and Port in {setting}.",
            _ => $"PostgreSQL at {where}: {OneLine(e.Message)}. Check {setting}.",
        };
    }

    private static NpgsqlDataSource CreateDataSource(string connectionString, string setting)
    {
        try
        {
            return NpgsqlDataSource.Create(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new StartupException($"{setting} is not a valid PostgreSQL connection string ({OneLine(e.Message)}). Write it as Host=...;Port=...;Database=...;Username=...;Password=....", e);
        }
    }

    private static async Task<NpgsqlConnection> OpenAsync(NpgsqlDataSource dataSource, string connectionString, string setting, CancellationToken cancellationToken)
    {
        try
        {
            return await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw new StartupException(Describe(e, connectionString, setting), e);
        }
    }

    private static async Task<int> MigrateAsync(NpgsqlDataSource dataSource, string connectionString, string setting, TextWriter progress, CancellationToken cancellationToken)
    {
        try
        {
            var applied = await new MigrationRunner(dataSource).ApplyAsync(cancellationToken).ConfigureAwait(false);
            progress.WriteLine($"  {applied.Count} migration(s) applied");
            return applied.Count;
        }
        catch (NpgsqlException e)
        {
            throw new StartupException(Describe(e, connectionString, setting), e);
        }
        catch (InvalidOperationException e)
        {
            // A changed or failed migration: MigrationRunner says which and what to do.
            throw new StartupException(OneLine(e.Message), e);
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
