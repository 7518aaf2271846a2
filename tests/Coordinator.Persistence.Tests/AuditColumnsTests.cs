using System.Text.Json;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Tests.Infrastructure;

namespace Coordinator.Persistence.Tests;

/// <summary>
/// <see cref="AuditColumns"/> is the C# side's one list of the audit_log columns; the SQL side
/// (migrations 0002, 0006, 0008) spells them out itself. These tests hold the two together.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AuditColumnsTests(PostgresCluster cluster)
{
    [Fact]
    public async Task Descriptor_MatchesInformationSchemaColumnsOfAuditLog_NamesOrderTypesAndNullability()
    {
        await using var db = await cluster.CreateDatabaseAsync();

        var columns = await ColumnsAsync(db);

        Assert.Equal(
            AuditColumns.All.Select((c, i) => (c.Name, Position: i + 1, c.PostgresType, c.Nullable)),
            columns.Select(c => (c.Name, c.Position, c.DataType, c.Nullable)));
    }

    [Fact]
    public async Task Descriptor_HashedColumnsFirstThenTheHashes_AsTheReadersAndTheBinaryCopyReadThem()
    {
        await using var db = await cluster.CreateDatabaseAsync();

        Assert.Equal(
            ["seq", "at", "instance_id", "workflow_id", "workflow_version", "business_key", "step_id", "action", "actor", "verdict", "detail", "idempotency_key"],
            AuditColumns.Hashed.Select(c => c.Name));
        Assert.Equal(AuditColumns.Hashed, AuditColumns.All.Take(AuditColumns.Hashed.Count));
        Assert.Equal((AuditColumns.Hashed.Count, AuditColumns.Hashed.Count + 1), (AuditColumns.PrevHashOrdinal, AuditColumns.HashOrdinal));
        Assert.Equal(AuditColumns.Count, (await ColumnsAsync(db)).Count);
    }

    [Fact]
    public async Task Descriptor_AppendedColumns_AreTheParametersOfAuditAppendInOrderWithTheColumnsTypes()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        var columnTypes = (await ColumnsAsync(db)).ToDictionary(c => c.Name, c => c.UdtName);

        var parameters = new List<(string Name, string UdtName)>();
        await using (var command = db.Superuser.CreateCommand("""
            SELECT p.parameter_name, p.udt_name
            FROM information_schema.routines r
            JOIN information_schema.parameters p ON p.specific_schema = r.specific_schema AND p.specific_name = r.specific_name
            WHERE r.routine_schema = 'public' AND r.routine_name = 'audit_append' AND p.parameter_mode = 'IN'
            ORDER BY p.ordinal_position
            """))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                parameters.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        Assert.Equal(
            AuditColumns.Appended.Select(c => ("p_" + c.Name, "_" + columnTypes[c.Name])),
            parameters);
        Assert.Equal(AuditColumns.Hashed.Where(c => c.Name != "seq"), AuditColumns.Appended);
        Assert.Equal(AuditColumns.Appended.Count, AuditAppendBatch.AppendSql.Count(ch => ch == '$'));
    }

    [Fact]
    public async Task AppendAsync_EveryColumnDistinct_EachValueLandsInItsColumnAndTheCSharpHashIsTheOneAuditAppendStored()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        AuditEntry[] entries =
        [
            new()
            {
                IdempotencyKey = "key-h",
                At = new DateTimeOffset(2025, 6, 7, 8, 9, 10, TimeSpan.Zero).AddTicks(1234560),
                InstanceId = "instance-a",
                WorkflowId = "workflow-b",
                WorkflowVersion = 7,
                BusinessKey = "business-c",
                StepId = "step-d",
                Action = "action.e",
                Actor = "actor-f",
                Verdict = AuditVerdict.Warn,
                Detail = JsonDocument.Parse("""{"g": "detail-g", "sequence": 42}""").RootElement,
            },
            new()
            {
                IdempotencyKey = "key-2",
                At = new DateTimeOffset(2025, 6, 7, 8, 9, 11, TimeSpan.Zero),
                InstanceId = "instance-2",
                WorkflowId = "workflow-2",
                WorkflowVersion = 2,
                Action = "action.2",
                Actor = "actor-2",
                Verdict = AuditVerdict.Deny,
            },
        ];

        await new PostgresAuditLog(db.Application).AppendAsync(entries);

        // Each value in its column, read by name (not through the descriptor).
        Assert.Equal(
            """[1, "2025-06-07T08:09:10.123456Z", "instance-a", "workflow-b", 7, "business-c", "step-d", "action.e", "actor-f", "WARN", {"g": "detail-g", "sequence": 42}, "key-h"]""",
            await db.ScalarAsync<string>("""
                SELECT json_build_array(seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), instance_id, workflow_id,
                    workflow_version, business_key, step_id, action, actor, verdict, detail, idempotency_key)::text
                FROM audit_log WHERE seq = 1
                """));

        // The rows read through the descriptor and hashed in C# give what audit_append() computed and stored.
        var hasher = new AuditRowHasher();
        await using var command = db.Superuser.CreateCommand(
            $"SELECT {AuditColumns.SelectList("a")}, audit_canonical_row(a) FROM audit_log a ORDER BY a.seq");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            var row = AuditColumns.Read(reader);
            var prevHash = reader.GetFieldValue<byte[]>(AuditColumns.PrevHashOrdinal);
            Assert.Equal(reader.GetString(AuditColumns.Count), hasher.CanonicalText(row));
            Assert.Equal(
                Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(AuditColumns.HashOrdinal)),
                Convert.ToHexStringLower(hasher.ComputeHash(prevHash, row)));
            rows++;
        }

        Assert.Equal(2, rows);
    }

    private static async Task<List<(string Name, int Position, string DataType, string UdtName, bool Nullable)>> ColumnsAsync(TestDatabase db)
    {
        var columns = new List<(string, int, string, string, bool)>();
        await using var command = db.Superuser.CreateCommand("""
            SELECT column_name, ordinal_position, data_type, udt_name, is_nullable = 'YES'
            FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = 'audit_log'
            ORDER BY ordinal_position
            """);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            columns.Add((reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetBoolean(4)));
        }

        return columns;
    }
}
