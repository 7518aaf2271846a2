using System.Diagnostics;
using System.Text.Json.Serialization;
using Coordinator.Persistence.Migrations;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Coordinator.Hosting.Health;

/// <summary>Whether a host can do its work now, and which dependency keeps it from it.</summary>
/// <param name="Status"><c>ready</c> or <c>unavailable</c>.</param>
/// <param name="Checks">Each dependency: <c>definitions</c>, <c>database</c>, <c>durable</c>.</param>
public sealed record Readiness(string Status, IReadOnlyList<ReadinessCheck> Checks)
{
    /// <summary>Whether every check is ready.</summary>
    [JsonIgnore]
    public bool Ready => Status == "ready";
}

/// <summary>One dependency's state. No secrets: the detail names settings, never their values.</summary>
/// <param name="Name"><c>definitions</c>, <c>database</c> or <c>durable</c>.</param>
/// <param name="Status"><c>ready</c> or <c>unavailable</c>.</param>
/// <param name="Detail">What was found, and what to do when it is unavailable.</param>
/// <param name="Milliseconds">How long the check took.</param>
public sealed record ReadinessCheck(string Name, string Status, string Detail, long Milliseconds);

/// <summary>
/// The readiness of a host (<c>GET /readyz</c> on <c>serve</c>, <c>GET /api/readyz</c> on the Functions
/// app): the workflow definitions are loaded, PostgreSQL answers with the application's login and its
/// schema is migrated (when the host has a database), and the Durable backend answers a query. The
/// checks run at once, each within <see cref="Timeout"/>, so the answer comes within about that time
/// even when a dependency hangs.
/// </summary>
public sealed class ReadinessProbe(WorkflowRegistry registry, IServiceProvider services)
{
    /// <summary>The instance id every probe of the Durable backend asks for (none has it: the cheapest query that reaches the task hub's storage).</summary>
    public const string ProbeInstanceId = "coordinator-readiness-probe";

    /// <summary>How long each check may take before its dependency counts as unavailable.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private const string ReadyStatus = "ready";
    private const string UnavailableStatus = "unavailable";

    /// <summary>Runs every check against the Durable backend behind <paramref name="client"/>.</summary>
    public async Task<Readiness> CheckAsync(DurableTaskClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var checks = await Task.WhenAll(
            TimedAsync("definitions", _ => Task.FromResult(Definitions()), cancellationToken),
            TimedAsync("database", DatabaseAsync, cancellationToken),
            TimedAsync("durable", token => DurableAsync(client, token), cancellationToken)).ConfigureAwait(false);
        return new Readiness(checks.All(static c => c.Status == ReadyStatus) ? ReadyStatus : UnavailableStatus, checks);
    }

    private (bool, string) Definitions() => registry.All.Count > 0
        ? (true, $"{registry.All.Count} workflow definition(s): {string.Join(", ", registry.All.Select(static d => $"{d.Id} v{d.Version}"))}.")
        : (false, "No workflow definitions are loaded; put them where Coordinator:DefinitionsPath points.");

    private async Task<(bool, string)> DatabaseAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<NpgsqlDataSource>() is not { } dataSource)
            return (true, "No database configured (ConnectionStrings:Coordinator): the audit registry is in memory.");
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var pending = await DatabaseReadiness.PendingMigrationsAsync(connection, cancellationToken).ConfigureAwait(false);
            return pending == 0
                ? (true, "PostgreSQL answers (ConnectionStrings:Coordinator) and its schema is migrated.")
                : (false, $"PostgreSQL answers, but {(pending < 0 ? "has no Coordinator schema" : $"lacks {pending} migration(s)")}: run coordinator db migrate, or set ConnectionStrings:CoordinatorMigrations and restart.");
        }
        catch (PostgresException e)
        {
            return (false, $"PostgreSQL refused the application's login or query ({e.SqlState}); check ConnectionStrings:Coordinator.");
        }
        catch (NpgsqlException)
        {
            return (false, "PostgreSQL does not answer (ConnectionStrings:Coordinator); the host waits for it and retries its work.");
        }
    }

    private static async Task<(bool, string)> DurableAsync(DurableTaskClient client, CancellationToken cancellationToken)
    {
        // Any query goes through to the task hub's storage; an instance that does not exist is the cheapest.
        await client.GetInstanceAsync(ProbeInstanceId, cancellationToken).ConfigureAwait(false);
        return (true, "The Durable backend (the task hub) answers.");
    }

    private static async Task<ReadinessCheck> TimedAsync(string name, Func<CancellationToken, Task<(bool Ready, string Detail)>> check, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        (bool Ready, string Detail) outcome;
        try
        {
            outcome = await check(timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = (false, $"No answer within {Timeout.TotalSeconds:0} s.{Hint(name)}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            outcome = (false, $"Failed ({e.GetType().Name}).{Hint(name)}");
        }
        return new ReadinessCheck(name, outcome.Ready ? ReadyStatus : UnavailableStatus, outcome.Detail, watch.ElapsedMilliseconds);
    }

    private static string Hint(string name) => name switch
    {
        "database" => " Check that PostgreSQL runs and ConnectionStrings:Coordinator points at it.",
        "durable" => " Check that the task hub's Azure Storage account (Azurite locally: scripts/azurite.sh start) runs and the host's storage setting points at it.",
        _ => "",
    };
}
