using Coordinator.Hosting.Tests.Support;
using Coordinator.Testing;

namespace Coordinator.Hosting.Tests.Durability;

/// <summary>The durability tests share one throwaway Azurite and one throwaway PostgreSQL cluster; each test has its own task hub and database.</summary>
[CollectionDefinition(Name)]
public sealed class DurabilityCollection : ICollectionFixture<ThrowawayAzurite>, ICollectionFixture<PostgresFixture>
{
    public const string Name = "Durability";
}
