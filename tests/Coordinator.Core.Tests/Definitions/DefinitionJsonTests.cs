using Coordinator.Core.Definitions;

namespace Coordinator.Core.Tests.Definitions;

public sealed class DefinitionJsonTests
{
    private static WorkflowDefinition Sample(string name) => WorkflowLoader.LoadFile(RepoPaths.Sample(name)).Definition!;

    [Theory]
    [InlineData("b2b-onboarding.yaml")]
    [InlineData("auto-liability-claim.yaml")]
    [InlineData("it-change-management.yaml")]
    public void Deserialize_CanonicalJsonOfSample_RoundTripsWithTheSameHash(string sample)
    {
        var original = Sample(sample);

        var copy = DefinitionJson.Deserialize(DefinitionJson.Canonical(original));

        Assert.Equal(original.ContentHash, copy.ContentHash);
        Assert.Equal(DefinitionJson.Canonical(original), DefinitionJson.Canonical(copy));
        Assert.Null(copy.Source);
    }

    [Fact]
    public void Canonical_Sample_StartsWithTheHeaderInAFixedOrderWithoutWhitespace()
    {
        var json = DefinitionJson.Canonical(Sample("b2b-onboarding.yaml"));

        Assert.StartsWith("""{"schema":"coordinator/v1","id":"b2b-onboarding","version":2,"title":"B2B customer onboarding","process_owner":"csm","business_key":"deal_id","roles":{"csm":""", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", json, StringComparison.Ordinal);
        Assert.Contains("\"reminders\":\"none\"", json, StringComparison.Ordinal);
        Assert.Contains("""{"id":"wait-for-customer","title":"Wait for the customer's IdP decision","extend_due":"1w"}""", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Canonical_ContentHash_IsTheSha256OfTheCanonicalJson()
    {
        var d = Sample("it-change-management.yaml");

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(DefinitionJson.Canonical(d))));

        Assert.Equal(hash, d.ContentHash);
    }

    [Fact]
    public void Deserialize_InvalidDefinition_ThrowsFormatExceptionListingTheProblems()
    {
        var e = Assert.Throws<FormatException>(() => DefinitionJson.Deserialize("""{"schema":"coordinator/v1","id":"x"}"""));

        Assert.Contains("WF0103", e.Message, StringComparison.Ordinal);
    }
}
