using System.Text;
using System.Text.Json;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Tests.Infrastructure;

namespace Coordinator.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class AuditExporterTests(PostgresCluster cluster)
{
    [Fact]
    public async Task ExportAsync_CsvByBusinessKey_WritesHeaderAndOneQuotedLinePerRowOfThatKey()
    {
        await using var db = await SeededAsync();

        var (count, text) = await ExportAsync(db, AuditQuery.ForBusinessKey("2024-0847"), AuditExportFormat.Csv);

        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, count);
        Assert.Equal("seq,at,instance_id,workflow_id,workflow_version,business_key,step_id,action,actor,verdict,detail,idempotency_key,prev_hash,hash", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("1,2024-03-01T08:00:00.000000Z,claim-1,claim-handling,3,2024-0847,step-0,escalation.raised,coordinator,ALLOW,", lines[1], StringComparison.Ordinal);
        Assert.Contains(",\"{\"\"note\"\": \"\"n\\\"\"0\\\"\"\"\", ", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Contains("claim-other", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExportAsync_JsonByInstance_WritesObjectsWithColumnNamesAndEmbeddedDetail()
    {
        await using var db = await SeededAsync();

        var (count, text) = await ExportAsync(db, AuditQuery.ForInstance("claim-other"), AuditExportFormat.Json);

        using var document = JsonDocument.Parse(text);
        var row = Assert.Single(document.RootElement.EnumerateArray());
        Assert.Equal(1, count);
        Assert.Equal(4, row.GetProperty("seq").GetInt64());
        Assert.Equal("claim-other", row.GetProperty("instance_id").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("business_key").ValueKind);
        Assert.Equal("DENY", row.GetProperty("verdict").GetString());
        Assert.Equal("slack", row.GetProperty("detail").GetProperty("channel").GetString());
        Assert.Equal(64, row.GetProperty("hash").GetString()!.Length);
    }

    private async Task<TestDatabase> SeededAsync()
    {
        var db = await cluster.CreateDatabaseAsync();
        await new PostgresAuditLog(db.Application).AppendAsync(
        [
            .. AuditEntries.For("claim-1", 3),
            AuditEntries.Entry("claim-other", 0, businessKey: null) with { Verdict = AuditVerdict.Deny },
        ]);
        return db;
    }

    private static async Task<(long Count, string Text)> ExportAsync(TestDatabase db, AuditQuery query, AuditExportFormat format)
    {
        using var output = new MemoryStream();
        var count = await new AuditExporter(new AuditReader(db.Auditor)).ExportAsync(query, format, output);
        return (count, Encoding.UTF8.GetString(output.ToArray()));
    }
}
