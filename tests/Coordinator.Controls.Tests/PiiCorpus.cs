using System.Text.Json;
using System.Text.Json.Serialization;
using Coordinator.Controls.Pii;
using Coordinator.Core.Ports;

namespace Coordinator.Controls.Tests;

/// <summary>The labelled corpus (corpus/pii.jsonl, made by corpus/pii.generate.py) and the directory of people it names.</summary>
internal static class PiiCorpus
{
    /// <summary>The fixed directory the corpus was written against (corpus/pii-people.json, which the generator and the benchmark read too).</summary>
    public static readonly IReadOnlyCollection<KnownPerson> Directory = KnownPeople.Load(System.IO.Path.Combine(AppContext.BaseDirectory, "corpus", "pii-people.json"));

    public sealed record Entity(
        [property: JsonPropertyName("kind")] PiiKind Kind,
        [property: JsonPropertyName("value")] string Value);

    public sealed record Line(
        [property: JsonPropertyName("lang")] string Lang,
        [property: JsonPropertyName("text")] string Text,
        [property: JsonPropertyName("entities")] IReadOnlyList<Entity> Entities);

    private static readonly JsonSerializerOptions Options = new() { Converters = { new JsonStringEnumConverter() } };

    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "corpus", "pii.jsonl");

    public static IReadOnlyList<Line> Load() =>
        File.ReadLines(Path)
            .Where(l => !string.IsNullOrWhiteSpace(l))
            .Select(l => JsonSerializer.Deserialize<Line>(l, Options) ?? throw new InvalidDataException("A null line in the corpus."))
            .ToList();
}
