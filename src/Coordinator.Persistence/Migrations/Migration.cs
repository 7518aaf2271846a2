using System.Security.Cryptography;
using System.Text;

namespace Coordinator.Persistence.Migrations;

/// <summary>A versioned SQL script, embedded as <c>Migrations/NNNN_name.sql</c>.</summary>
/// <param name="Checksum">Lowercase hex SHA-256 of the script; an applied migration must never change.</param>
public sealed record Migration(int Version, string Name, string Sql, string Checksum)
{
    public static Migration Create(int version, string name, string sql) =>
        new(version, name, sql, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql))));

    public override string ToString() => $"{Version:D4}_{Name}";
}
