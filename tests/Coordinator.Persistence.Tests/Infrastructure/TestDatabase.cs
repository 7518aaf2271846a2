using Npgsql;

namespace Coordinator.Persistence.Tests.Infrastructure;

/// <summary>One migrated database of the test cluster, reachable as the superuser, the application role and the auditor role.</summary>
public sealed class TestDatabase(string name, NpgsqlDataSource superuser, NpgsqlDataSource application, NpgsqlDataSource auditor) : IAsyncDisposable
{
    public string Name { get; } = name;

    public NpgsqlDataSource Superuser { get; } = superuser;

    public NpgsqlDataSource Application { get; } = application;

    public NpgsqlDataSource Auditor { get; } = auditor;

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = Superuser.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var command = Superuser.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Superuser.DisposeAsync();
        await Application.DisposeAsync();
        await Auditor.DisposeAsync();
    }
}
