using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Migrations;
using Coordinator.Persistence.Tests.Infrastructure;

namespace Coordinator.Persistence.Tests;

[Collection(PostgresCollection.Name)]
public sealed class MigrationRunnerTests(PostgresCluster cluster)
{
    [Fact]
    public async Task ApplyAsync_FourConcurrentRunnersOnAnEmptyDatabase_ApplyEachMigrationOnce()
    {
        await using var dataSource = await cluster.CreateEmptyDatabaseAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new MigrationRunner(dataSource).ApplyAsync()));

        Assert.Equal(MigrationRunner.Embedded.Count, results.Sum(r => r.Count));
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM schema_migrations");
        Assert.Equal((long)MigrationRunner.Embedded.Count, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task ApplyAsync_MigratedDatabase_AppliesNothingAndHasPgvector()
    {
        await using var db = await cluster.CreateDatabaseAsync();

        var applied = await new MigrationRunner(db.Superuser).ApplyAsync();

        Assert.Empty(applied);
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_extension WHERE extname = 'vector'"));
    }

    [Fact]
    public async Task ApplyAsync_AppliedMigrationChanged_ThrowsNamingTheMigration()
    {
        await using var db = await cluster.CreateDatabaseAsync();
        await db.ExecuteAsync("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 2");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new MigrationRunner(db.Superuser).ApplyAsync());

        Assert.Contains("0002_audit_log was changed after it was applied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_RegistryForkedBeforeTheForkRule_AppliesKeepsTheRowsAndTheFirstActionKeepsTheNumber()
    {
        await using var db = await cluster.CreateDatabaseAsync(lastMigration: 5);
        // What the coordinator wrote before migration 0006 (issue 9: 2 of 40 instances forked).
        await db.ExecuteAsync(ChainForgery.AppendBypassingTheFunction("claim-1", 3, "step.blocked", "claim-1/000003:step.blocked:legal-review"));
        await db.ExecuteAsync(ChainForgery.AppendBypassingTheFunction("claim-1", 3, "step.completed", "claim-1/000003:step.completed:legal-review"));

        var applied = await new MigrationRunner(db.Superuser).ApplyAsync();

        Assert.Contains(applied, m => m.Version == 6);
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT count(*) FROM audit_log"));
        var third = await new PostgresAuditLog(db.Application).AppendAsync([AuditEntries.EngineAction("claim-1", 3, "step.reassigned")]);
        Assert.Equal(1, third.Superseded);
        Assert.Equal(
            "claim-1/000003:step.blocked:legal-review",
            await db.ScalarAsync<string>("SELECT detail->>'keptIdempotencyKey' FROM audit_log WHERE action = 'action.superseded'"));
        var fresh = await new PostgresAuditLog(db.Application).AppendAsync([AuditEntries.EngineAction("claim-1", 4, "step.activated")]);
        Assert.Equal(1, fresh.Appended);
    }

    [Fact]
    public async Task ApplyAsync_InboxKeptInTheOutbox_MovesItsNotificationsToTheNotificationsTableOnePerRecipient()
    {
        await using var db = await cluster.CreateDatabaseAsync(lastMigration: 8);
        // What the inbox wrote before migration 0009: a delivered outbox record of kind 'notification' per notification.
        var notification = System.Text.Json.JsonSerializer.Serialize(new Core.Ports.Notification
        {
            IdempotencyKey = "i-1:000002:step.activated:contract",
            InstanceId = "i-1",
            WorkflowId = "b2b-onboarding",
            WorkflowTitle = "B2B customer onboarding",
            Recipients = ["sales.rep", "csm.lead"],
            Action = new Core.Engine.CoordinationAction
            {
                Type = Core.Engine.CoordinationActionType.StepActivated,
                At = new DateTimeOffset(2024, 3, 1, 8, 0, 0, TimeSpan.Zero),
                Sequence = 2,
                Key = "000002:step.activated:contract",
                StepId = "contract",
                To = ["sales.rep", "csm.lead"],
            },
        }, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
        await db.ExecuteAsync($"""
            INSERT INTO outbox (key, kind, status, payload, attempts, completed_at) VALUES
              ('notification/i-1:000002:step.activated:contract', 'notification', 'succeeded', '{notification}', 1, '2024-03-01T08:00:00Z'),
              ('crm/i-1:000002', 'crm.update', 'pending', '{"{}"}', 0, NULL)
            """);

        var applied = await new MigrationRunner(db.Superuser).ApplyAsync();

        Assert.Contains(applied, m => m.Version == 9);
        Assert.Equal(
            "csm.lead,sales.rep",
            await db.ScalarAsync<string>("SELECT string_agg(person_id, ',' ORDER BY person_id) FROM notifications WHERE key = 'i-1:000002:step.activated:contract' AND action = 'step.activated'"));
        Assert.Equal("crm.update", await db.ScalarAsync<string>("SELECT string_agg(kind, ',') FROM outbox"));
        var moved = await new Inbox.PostgresNotificationInbox(db.Application, Microsoft.Extensions.Logging.Abstractions.NullLogger<Inbox.PostgresNotificationInbox>.Instance).ForAsync("csm.lead", 10);
        Assert.Equal("i-1:000002:step.activated:contract", Assert.Single(moved).IdempotencyKey);
    }

    [Fact]
    public void Embedded_Migrations_AreNumberedFromOneWithoutGaps()
    {
        Assert.Equal(Enumerable.Range(1, MigrationRunner.Embedded.Count), MigrationRunner.Embedded.Select(m => m.Version));
    }
}
