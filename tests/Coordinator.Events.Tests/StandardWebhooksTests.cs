using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Coordinator.Events.Tests;

/// <summary>The Standard Webhooks signature against vectors computed from the specification, and the CloudEvents 1.0 attributes of what is sent.</summary>
public sealed partial class StandardWebhooksTests
{
    private sealed record Vector(string Name, string Secret, string Id, string Timestamp, string Body, string Signature);

    private sealed record VectorFile(string Description, IReadOnlyList<Vector> Vectors);

    internal static IReadOnlyList<(string Name, string Secret, string Id, string Timestamp, string Body, string Signature)> Vectors()
    {
        var file = JsonSerializer.Deserialize<VectorFile>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "standard-webhooks.json")),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        return [.. file.Vectors.Select(v => (v.Name, v.Secret, v.Id, v.Timestamp, v.Body, v.Signature))];
    }

    private static DateTimeOffset At(string timestamp) => DateTimeOffset.FromUnixTimeSeconds(long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void Sign_Vectors_MatchTheFixture()
    {
        foreach (var v in Vectors())
            Assert.Equal(v.Signature, StandardWebhooks.Sign(StandardWebhooks.ParseSecret(v.Secret)!, v.Id, long.Parse(v.Timestamp, System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetBytes(v.Body)));
    }

    [Fact]
    public void Serialize_WorkedExampleRow_IsTheFixturesBody()
    {
        var body = Vectors().Single(v => v.Id == Samples.WorkedExample.IdempotencyKey).Body;

        Assert.Equal(body, Encoding.UTF8.GetString(CoordinatorCloudEvents.Serialize(Samples.WorkedExample, Samples.Source)));
    }

    [Fact]
    public void Verify_Vectors_Accepted()
    {
        foreach (var v in Vectors())
            Assert.True(StandardWebhooks.Verify(StandardWebhooks.ParseSecret(v.Secret)!, v.Id, v.Timestamp, v.Signature, Encoding.UTF8.GetBytes(v.Body), At(v.Timestamp).AddMinutes(4)).Accepted, v.Name);
    }

    [Fact]
    public void Verify_SeveralSignatures_AcceptedWhenAnyV1Matches()
    {
        var v = Vectors()[0];
        var header = $"v1a,abc v1,{Convert.ToBase64String(new byte[32])} {v.Signature}";

        Assert.True(StandardWebhooks.Verify(StandardWebhooks.ParseSecret(v.Secret)!, v.Id, v.Timestamp, header, Encoding.UTF8.GetBytes(v.Body), At(v.Timestamp)).Accepted);
    }

    [Theory]
    [InlineData("changed byte")]
    [InlineData("stale")]
    [InlineData("future")]
    [InlineData("wrong secret")]
    [InlineData("other id")]
    [InlineData("no signature")]
    [InlineData("not v1")]
    public void Verify_Tampered_DeniedWithTheReason(string tampering)
    {
        var v = Vectors()[1];
        var key = StandardWebhooks.ParseSecret(v.Secret)!;
        var body = Encoding.UTF8.GetBytes(v.Body);
        var (id, signature, now) = (v.Id, (string?)v.Signature, At(v.Timestamp));
        switch (tampering)
        {
            case "changed byte": body[body.Length / 2] ^= 1; break;
            case "stale": now = now.AddMinutes(5).AddSeconds(1); break;
            case "future": now = now.AddMinutes(-6); break;
            case "wrong secret": key = StandardWebhooks.ParseSecret(Vectors()[0].Secret)!; break;
            case "other id": id += "x"; break;
            case "no signature": signature = null; break;
            case "not v1": signature = "v2," + v.Signature[3..]; break;
        }

        var verdict = StandardWebhooks.Verify(key, id, v.Timestamp, signature, body, now);

        Assert.False(verdict.Accepted);
        Assert.Contains("webhook-", verdict.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_")]
    [InlineData("whsec_not base64!")]
    public void Validate_SecretNotWhsecBase64_FailsSayingHowToFix(string? secret)
    {
        var result = new EventsOptionsValidator().Validate(null, new EventsOptions { Url = new Uri("https://tickets.example.com/hooks"), Secret = secret, PublicBaseUrl = Samples.Source });

        Assert.True(result.Failed);
        Assert.Contains("Coordinator__Events__Webhook__Secret", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("whsec_", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UrlWithoutPublicBaseUrl_FailsNamingIt()
    {
        var result = new EventsOptionsValidator().Validate(null, new EventsOptions { Url = new Uri("https://tickets.example.com/hooks"), Secret = RelayHarness.HostSecret });

        Assert.Contains("Coordinator__PublicBaseUrl", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void AddCoordinatorEvents_NothingConfigured_DoesNothing()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();

        Assert.False(services.AddCoordinatorEvents(new ConfigurationBuilder().Build()));
        Assert.Empty(services);
    }

    /// <summary>
    /// Every action the registry holds, as a CloudEvent: the CloudEvents 1.0 required attributes (specversion, id,
    /// source as a URI-reference, type), the optional ones used (subject, time as RFC 3339, datacontenttype), no
    /// other attribute, and names as the spec restricts them (lowercase a-z and 0-9, at most 20 characters).
    /// </summary>
    [Theory]
    [MemberData(nameof(Actions))]
    public void From_EveryAction_IsACloudEvents10Event(string action)
    {
        var row = Samples.Action("onboarding", "4711", 3, action);

        using var json = JsonDocument.Parse(CoordinatorCloudEvents.Serialize(row, Samples.Source));
        var e = json.RootElement;

        Assert.Equal("1.0", e.GetProperty("specversion").GetString());
        Assert.Equal(row.IdempotencyKey, e.GetProperty("id").GetString());
        Assert.True(Uri.TryCreate(e.GetProperty("source").GetString(), UriKind.RelativeOrAbsolute, out _));
        Assert.Equal("com.coordinator." + action, e.GetProperty("type").GetString());
        Assert.Equal(row.InstanceId, e.GetProperty("subject").GetString());
        Assert.Matches(Rfc3339(), e.GetProperty("time").GetString()!);
        Assert.Equal("application/json", e.GetProperty("datacontenttype").GetString());
        var allowed = new[] { "specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data" };
        foreach (var attribute in e.EnumerateObject())
        {
            Assert.Contains(attribute.Name, allowed);
            Assert.Matches("^[a-z0-9]{1,20}$", attribute.Name);
        }
        var data = e.GetProperty("data");
        Assert.Equal("onboarding", data.GetProperty("workflow").GetString());
        Assert.Equal(["person-7"], data.GetProperty("owners").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(CoordinatorCloudEvents.StatusOf(action), data.TryGetProperty("status", out var status) ? status.GetString() : null);
    }

    public static TheoryData<string> Actions() => [.. ActionNames];

    /// <summary>Every action name the registry holds (the engine's, the registry's own, the side effects' and the channels' deliveries).</summary>
    internal static readonly string[] ActionNames =
    [
        "instance.started", "step.activated", "step.skipped", "reminder", "escalation", "step.blocked", "decision.requested", "decision.made",
        "step.reassigned", "step.completed", "summary", "event.rejected", "instance.completed", "step.progress", "action.superseded",
        "instance.work_withdrawn", "side_effect.failed", "side_effect.recovered", "side_effect.abandoned",
        "channel.delivery_delayed", "channel.delivery_recovered", "channel.delivery_refused",
    ];

    [Fact]
    public void StatusOf_EveryEngineAction_HasAStatus()
    {
        foreach (var type in Enum.GetValues<Core.Engine.CoordinationActionType>())
            Assert.NotNull(CoordinatorCloudEvents.StatusOf(Core.Engine.CoordinationActionTypes.WireName(type)));
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}
