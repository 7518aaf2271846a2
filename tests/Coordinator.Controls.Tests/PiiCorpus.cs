using System.Text.Json;
using System.Text.Json.Serialization;
using Coordinator.Core.Ports;

namespace Coordinator.Controls.Tests;

/// <summary>The labelled corpus (corpus/pii.jsonl, made by corpus/pii.generate.py) and the directory of people it names.</summary>
internal static class PiiCorpus
{
    /// <summary>The fixed directory the corpus was written against (the same as PEOPLE in corpus/pii.generate.py).</summary>
    public static readonly IReadOnlyCollection<KnownPerson> Directory =
    [
        new("p-giulia", ["Giulia Rossi", "Giulia", "Rossi"], ["U024BE7LH", "giulia.rossi@assicura-demo.it"]),
        new("p-niccolo", ["Niccolò Bianchi", "Niccolò", "Bianchi"], ["U05NB8QX2", "n.bianchi@assicura-demo.it"]),
        new("p-chiara", ["Chiara De Luca", "Chiara", "De Luca"], ["U01CDL4RT", "chiara.deluca@onboard-demo.it"]),
        new("p-marco", ["Marco Esposito", "Esposito"], ["U07ME3KPA", "+393471122334"]),
        new("p-sarah", ["Sarah Whitfield", "Sarah", "Whitfield"], ["U03KQ9Z2M", "s.whitfield@changeops-demo.co.uk"]),
        new("p-james", ["James O'Connor", "O'Connor"], ["U08JOC1VB", "james.oconnor@changeops-demo.co.uk"]),
        new("p-priya", ["Priya Natarajan", "Priya", "Natarajan"], ["U02PN6WQE"]),
        new("p-zoe", ["Zoë Hartley", "Zoë", "Hartley"], ["U09ZH5MNC", "zoe.hartley@onboard-demo.com"]),
    ];

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
