using Coordinator.Testing;

namespace Coordinator.Hosting.Tests.Support;

/// <summary>Tests that share one throwaway Azurite.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<ThrowawayAzurite>
{
    public const string Name = "Azurite";
}
