using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Coordinator.AuditBenchmarks;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Audit.Anchors;
using Coordinator.Persistence.Migrations;
using Npgsql;

// Audit registry benchmark: hash-chained appends vs plain batched INSERTs of the same rows, then a
// full `verify` of the chain. Runs in a fresh database created (and dropped) for the run.
const string ConnectionVariable = "COORDINATOR_BENCH_CONNECTION";
if (args.Length > 0 && args[0] == "--writer")
    return await Contention.WriteAsync(args);
var settings = BenchSettings.Parse(args);
var connectionString = settings.Connection ?? Environment.GetEnvironmentVariable(ConnectionVariable);
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.Error.WriteLine($"Set {ConnectionVariable} (or pass --connection) to a PostgreSQL superuser connection, e.g. for scripts/postgres.sh start:");
    Console.Error.WriteLine($"  export {ConnectionVariable}='Host=<repo>/.data/postgres;Port=5433;Username=postgres'");
    return 2;
}

var databaseName = "coordinator_bench_" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
await using var admin = NpgsqlDataSource.Create(connectionString);
Console.WriteLine($"Creating database {databaseName} ...");
await Sql.ExecuteAsync(admin, $"CREATE DATABASE {databaseName}");
try
{
    var builder = new NpgsqlConnectionStringBuilder(connectionString) { Database = databaseName, MaxPoolSize = 20 };
    await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    await new MigrationRunner(dataSource).ApplyAsync();
    if (settings.Contention is { } contention)
        return await Contention.RunAsync(builder.ConnectionString, contention);
    await Sql.ExecuteAsync(dataSource, """
        CREATE TABLE bench_plain_log (LIKE audit_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
        ALTER TABLE bench_plain_log DROP COLUMN prev_hash, DROP COLUMN hash;
        """);

    Console.WriteLine($"PostgreSQL {await Sql.ScalarAsync<string>(dataSource, "SHOW server_version")}, {Environment.ProcessorCount} cores, batches of {settings.BatchSize} rows");
    var chained = new PostgresAuditLog(dataSource);
    var plain = new PlainAuditInsert(dataSource);

    // Warm-up (JIT, plans, caches) on rows that are not measured.
    var warmup = Rows.Generate("warmup", 0, 20_000);
    await plain.InsertAsync(warmup, settings.BatchSize);
    await AppendAllAsync(chained, warmup, settings.BatchSize);

    // Measured: the same rows, alternating rounds so both paths see the same table sizes and WAL state.
    var rounds = 4;
    var perRound = settings.AppendRows / rounds;
    TimeSpan plainTime = TimeSpan.Zero, chainedTime = TimeSpan.Zero;
    for (var round = 0; round < rounds; round++)
    {
        var rows = Rows.Generate("bench", round * perRound, perRound);
        plainTime += await TimeAsync(() => plain.InsertAsync(rows, settings.BatchSize));
        chainedTime += await TimeAsync(() => AppendAllAsync(chained, rows, settings.BatchSize));
        Console.WriteLine($"  round {round + 1}/{rounds}: {(round + 1) * perRound:N0} rows each");
    }

    var measured = (double)perRound * rounds;
    var plainRate = measured / plainTime.TotalSeconds;
    var chainedRate = measured / chainedTime.TotalSeconds;
    Console.WriteLine();
    Console.WriteLine($"Plain batched INSERT:      {plainRate,10:N0} rows/s  ({measured:N0} rows in {plainTime.TotalSeconds:N2} s)");
    Console.WriteLine($"Hash-chained audit append: {chainedRate,10:N0} rows/s  ({measured:N0} rows in {chainedTime.TotalSeconds:N2} s)");
    Console.WriteLine($"Chained / plain:           {chainedRate / plainRate,10:P0}  (goal >= 50%)");
    Console.WriteLine();

    // Fill the chain up to the verify size.
    var inChain = await Sql.ScalarAsync<long>(dataSource, "SELECT seq FROM audit_chain_head");
    var next = (int)inChain;
    Console.WriteLine($"Filling the chain to {settings.VerifyRows:N0} rows ...");
    while (inChain < settings.VerifyRows)
    {
        var count = (int)Math.Min(50_000, settings.VerifyRows - inChain);
        await AppendAllAsync(chained, Rows.Generate("fill", next, count), 5_000);
        next += count;
        inChain += count;
        Console.WriteLine($"  {inChain:N0} rows");
    }

    await Sql.ExecuteAsync(dataSource, "VACUUM ANALYZE audit_log");
    var anchors = Directory.CreateTempSubdirectory("coordinator-bench-anchors-");
    try
    {
        var store = new FileAuditAnchorStore(anchors.FullName);
        await new AuditAnchorWriter(dataSource, store, TimeProvider.System).AnchorAsync();
        var verifier = new AuditChainVerifier(dataSource, store);
        Console.WriteLine($"Verifying {inChain:N0} rows ...");
        AuditVerificationResult? result = null;
        var verifyTime = await TimeAsync(async () => result = await verifier.VerifyAsync());
        Console.WriteLine();
        Console.WriteLine($"verify: {result!.Status}, {result.RowsChecked:N0} rows in {verifyTime.TotalSeconds:N2} s ({result.RowsChecked / verifyTime.TotalSeconds:N0} rows/s; goal < 30 s)");
        Console.WriteLine($"  {result.Message}");
        return result.IsOk ? 0 : 1;
    }
    finally
    {
        anchors.Delete(recursive: true);
    }
}
finally
{
    if (settings.Keep)
    {
        Console.WriteLine($"Kept database {databaseName} (--keep).");
    }
    else
    {
        NpgsqlConnection.ClearAllPools();
        await Sql.ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {databaseName} WITH (FORCE)");
        Console.WriteLine($"Dropped database {databaseName}.");
    }
}

static async Task AppendAllAsync(PostgresAuditLog log, List<AuditEntry> rows, int batchSize)
{
    for (var i = 0; i < rows.Count; i += batchSize)
    {
        await log.AppendAsync(rows.GetRange(i, Math.Min(batchSize, rows.Count - i)));
    }
}

static async Task<TimeSpan> TimeAsync(Func<Task> action)
{
    var stopwatch = Stopwatch.StartNew();
    await action();
    return stopwatch.Elapsed;
}

namespace Coordinator.AuditBenchmarks
{
    internal sealed record BenchSettings(string? Connection, int AppendRows, long VerifyRows, int BatchSize, bool Keep)
    {
        /// <summary>Set by <c>--contention 1,2,4</c>: measure the chain head's contention instead of throughput and verify.</summary>
        public Contention.Settings? Contention { get; init; }

        public static BenchSettings Parse(string[] args)
        {
            var settings = new BenchSettings(null, 200_000, 1_000_000, 1_000, false);
            Contention.Settings Contended() => settings.Contention ?? new([1, 2, 4], 20, 4, 4);
            for (var i = 0; i < args.Length; i++)
            {
                settings = args[i] switch
                {
                    "--connection" => settings with { Connection = args[++i] },
                    "--append-rows" => settings with { AppendRows = int.Parse(args[++i], CultureInfo.InvariantCulture) },
                    "--verify-rows" => settings with { VerifyRows = long.Parse(args[++i], CultureInfo.InvariantCulture) },
                    "--batch" => settings with { BatchSize = int.Parse(args[++i], CultureInfo.InvariantCulture) },
                    "--keep" => settings with { Keep = true },
                    "--contention" => settings with { Contention = Contended() with { Writers = [.. args[++i].Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture))] } },
                    "--seconds" => settings with { Contention = Contended() with { Seconds = int.Parse(args[++i], CultureInfo.InvariantCulture) } },
                    "--turn-rows" => settings with { Contention = Contended() with { TurnRows = int.Parse(args[++i], CultureInfo.InvariantCulture) } },
                    "--in-flight" => settings with { Contention = Contended() with { InFlight = int.Parse(args[++i], CultureInfo.InvariantCulture) } },
                    _ => throw new ArgumentException($"Unknown option {args[i]}. Options: --connection CS --append-rows N --verify-rows N --batch N --keep; " +
                                                     "--contention 1,2,4 [--seconds 20 --turn-rows 4 --in-flight 4] for the chain head's contention"),
                };
            }

            return settings;
        }
    }

    /// <summary>Realistic audit rows: an instance per 40 rows, person ids, a small jsonb detail.</summary>
    internal static class Rows
    {
        private static readonly string[] Actions = ["step.activated", "reminder.sent", "escalation.raised", "decision.made", "crm.updated"];
        private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public static List<AuditEntry> Generate(string prefix, int first, int count)
        {
            var rows = new List<AuditEntry>(count);
            for (var i = first; i < first + count; i++)
            {
                var instance = i / 40;
                rows.Add(new AuditEntry
                {
                    IdempotencyKey = $"{prefix}-{instance}/step-{i % 8}/{Actions[i % 5]}/{i}",
                    At = Start.AddSeconds(i * 7),
                    InstanceId = $"{prefix}-claim-{instance}",
                    WorkflowId = "claim-handling",
                    WorkflowVersion = 3,
                    BusinessKey = $"2024-{instance:D6}",
                    StepId = $"step-{i % 8}",
                    Action = Actions[i % 5],
                    Actor = i % 3 == 0 ? AuditEntry.CoordinatorActor : $"person-{i % 97}",
                    Verdict = i % 50 == 0 ? AuditVerdict.Warn : AuditVerdict.Allow,
                    Detail = JsonSerializer.SerializeToElement(new { channel = "slack", reminder = i % 4, due = "2024-02-01T09:00:00Z", owner = $"person-{i % 97}" }),
                });
            }

            return rows;
        }
    }

    /// <summary>The baseline: the same rows in the same kind of batched INSERT, without lock, key check or hashes.</summary>
    internal sealed class PlainAuditInsert(NpgsqlDataSource dataSource)
    {
        private const string InsertSql = """
            INSERT INTO bench_plain_log (seq, at, instance_id, workflow_id, workflow_version, business_key, step_id,
                                         action, actor, verdict, detail, idempotency_key)
            SELECT seq, at, instance_id, workflow_id, workflow_version, business_key, step_id,
                   action, actor, verdict, detail::jsonb, idempotency_key
            FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::integer[], $6::text[], $7::text[],
                        $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
                 AS t(seq, at, instance_id, workflow_id, workflow_version, business_key, step_id,
                      action, actor, verdict, detail, idempotency_key)
            ON CONFLICT (idempotency_key) DO NOTHING
            """;

        private long _seq;

        public async Task InsertAsync(List<AuditEntry> rows, int batchSize)
        {
            for (var i = 0; i < rows.Count; i += batchSize)
            {
                var batch = rows.GetRange(i, Math.Min(batchSize, rows.Count - i));
                await using var command = dataSource.CreateCommand(InsertSql);
                command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(_ => ++_seq).ToArray() });
                command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(e => e.At.UtcDateTime).ToArray() });
                command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(e => e.InstanceId).ToArray() });
                command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(e => e.WorkflowId).ToArray() });
                command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(e => e.WorkflowVersion).ToArray() });
                command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(e => e.BusinessKey).ToArray() });
                command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(e => e.StepId).ToArray() });
                command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(e => e.Action).ToArray() });
                command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(e => e.Actor).ToArray() });
                command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(e => e.Verdict.ToString().ToUpperInvariant()).ToArray() });
                command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(e => e.Detail!.Value.GetRawText()).ToArray() });
                command.Parameters.Add(new NpgsqlParameter { Value = batch.Select(e => e.IdempotencyKey).ToArray() });
                await command.ExecuteNonQueryAsync();
            }
        }
    }

    internal static class Sql
    {
        public static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
        {
            await using var command = dataSource.CreateCommand(sql);
            await command.ExecuteNonQueryAsync();
        }

        public static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
        {
            await using var command = dataSource.CreateCommand(sql);
            return (T)(await command.ExecuteScalarAsync())!;
        }
    }
}
