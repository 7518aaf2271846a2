using Coordinator.Controls.Guardrail;
using Coordinator.Controls.Pii;
using Coordinator.Core.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Controls.Tests;

public sealed class CompositionTests
{
    [Fact]
    public void AddCoordinatorControls_Registered_ResolvesTheDetectorAndAGuardrailThatUsesIt()
    {
        using var services = new ServiceCollection().AddCoordinatorControls().BuildServiceProvider();

        var detector = Assert.IsType<PiiDetector>(services.GetRequiredService<IPiiDetector>());
        var guardrail = Assert.IsType<TopicGuardrail>(services.GetRequiredService<ITopicGuardrail>());
        Assert.Same(detector, services.GetRequiredService<IPiiDetector>());
        Assert.Equal("Write to [EMAIL_1] about the contract.", detector.Redact("Write to anna.verdi@example.com about the contract.", []).Text);
        // The real detector behind the guardrail: a draft carrying an e-mail its redaction did not hold is a leak.
        var verdict = guardrail.CheckDraft("The contract is signed; write to anna.verdi@example.com for the kickoff.", null, ["customer onboarding"], null, []);
        Assert.Equal((GuardrailCategory.Leak, AuditVerdict.Deny), (verdict.Category, verdict.Verdict));
    }
}
