using Coordinator.Core.Ports;
using Npgsql;

namespace Coordinator.Persistence.Work;

/// <summary>Start claims in <c>instance_starts</c>: the primary key decides, in one statement, across every host on the database.</summary>
public sealed class PostgresStartClaims(NpgsqlDataSource dataSource) : IStartClaims
{
    public async Task<bool> ClaimAsync(string instanceId, string workflowId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO instance_starts (instance_id, workflow_id) VALUES ($1, $2) ON CONFLICT (instance_id) DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter { Value = instanceId });
        command.Parameters.Add(new NpgsqlParameter { Value = workflowId });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }
}
