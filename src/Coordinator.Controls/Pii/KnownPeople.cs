using System.Text.Json;
using Coordinator.Core.Ports;

namespace Coordinator.Controls.Pii;

/// <summary>A directory of <see cref="KnownPerson"/>s from a JSON file (an array of <c>{ id, names, handles }</c>): the labelled corpus's people, for its tests and benchmark.</summary>
public static class KnownPeople
{
    private sealed record Entry(string Id, string[] Names, string[] Handles);

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static IReadOnlyCollection<KnownPerson> Load(string path)
    {
        var entries = JsonSerializer.Deserialize<Entry[]>(File.ReadAllText(path), Web)
            ?? throw new InvalidDataException($"{path} holds no array of people.");
        return [.. entries.Select(e => new KnownPerson(e.Id, e.Names, e.Handles))];
    }
}
