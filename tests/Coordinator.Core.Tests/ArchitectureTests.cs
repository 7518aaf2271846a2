using System.Xml.Linq;
using Coordinator.Core.Tests.Definitions;

namespace Coordinator.Core.Tests;

/// <summary>
/// The project graph of the design guide ("Next phase"): dependencies point inward, the core references nothing,
/// integrations (channels, CRM, models, controls) reference the core and their shared base only, never each other,
/// and only the hosts' composition references them.
/// </summary>
public sealed class ArchitectureTests
{
    // Each project of src/ and what it may reference (directly).
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Coordinator.Core"] = [],
        ["Coordinator.Orchestration"] = ["Coordinator.Core"],
        ["Coordinator.Persistence"] = ["Coordinator.Core"],
        ["Coordinator.Application"] = ["Coordinator.Core", "Coordinator.Orchestration"],
        ["Coordinator.Channels"] = ["Coordinator.Core"],
        ["Coordinator.Channels.Slack"] = ["Coordinator.Channels", "Coordinator.Core"],
        ["Coordinator.Channels.Teams"] = ["Coordinator.Channels", "Coordinator.Core"],
        ["Coordinator.Channels.Telegram"] = ["Coordinator.Channels", "Coordinator.Core"],
        ["Coordinator.Channels.WhatsApp"] = ["Coordinator.Channels", "Coordinator.Core"],
        ["Coordinator.Crm.HubSpot"] = ["Coordinator.Channels", "Coordinator.Core"],
        ["Coordinator.Events"] = ["Coordinator.Channels", "Coordinator.Core"],
        ["Coordinator.Controls"] = ["Coordinator.Core"],
        ["Coordinator.AI"] = ["Coordinator.Core"],
        ["Coordinator.ServiceDefaults"] = ["Coordinator.Orchestration"],
        ["Coordinator.Hosting"] = ["Coordinator.Application", "Coordinator.Core", "Coordinator.Orchestration", "Coordinator.Persistence", "Coordinator.Channels", "Coordinator.Channels.Slack", "Coordinator.Channels.Teams", "Coordinator.Channels.Telegram", "Coordinator.Channels.WhatsApp", "Coordinator.Crm.HubSpot", "Coordinator.Events", "Coordinator.AI", "Coordinator.Controls"],
        ["Coordinator.Hosting.Embedded"] = ["Coordinator.Hosting", "Coordinator.ServiceDefaults"],
        ["Coordinator.Functions"] = ["Coordinator.Core", "Coordinator.Orchestration", "Coordinator.Persistence", "Coordinator.Hosting", "Coordinator.ServiceDefaults"],
        ["Coordinator.Cli"] = ["Coordinator.Core", "Coordinator.Hosting.Embedded", "Coordinator.Persistence"],
    };

    private static IReadOnlyDictionary<string, string[]> Graph() =>
        // One level down: the projects themselves, not what builds generate under obj/ (the Functions worker extensions).
        Directory.EnumerateDirectories(Path.Combine(RepoPaths.Root, "src")).SelectMany(d => Directory.EnumerateFiles(d, "*.csproj")).ToDictionary(
            path => Path.GetFileNameWithoutExtension(path),
            path => XDocument.Load(path).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
                .ToArray(),
            StringComparer.Ordinal);

    [Fact]
    public void ProjectReferences_FollowTheDesignGuide()
    {
        var graph = Graph();

        Assert.Equal(Allowed.Keys.Order(StringComparer.Ordinal), graph.Keys.Order(StringComparer.Ordinal));
        foreach (var (project, references) in graph)
        {
            var extra = references.Except(Allowed[project], StringComparer.Ordinal).ToList();
            Assert.True(extra.Count == 0, $"{project} references {string.Join(", ", extra)}, which the design guide does not allow");
        }
    }

    [Fact]
    public void Integrations_NeverReferenceEachOther()
    {
        var graph = Graph();
        var integrations = graph.Keys.Where(p => p.StartsWith("Coordinator.Channels.", StringComparison.Ordinal)
            || p.StartsWith("Coordinator.Crm.", StringComparison.Ordinal) || p is "Coordinator.AI" or "Coordinator.Controls").ToHashSet(StringComparer.Ordinal);

        foreach (var project in integrations)
            Assert.DoesNotContain(graph[project], integrations.Contains);
        Assert.DoesNotContain(graph["Coordinator.Core"], _ => true);
    }
}
