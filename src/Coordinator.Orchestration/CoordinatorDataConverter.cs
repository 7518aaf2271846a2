using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.DurableTask.Converters;

namespace Coordinator.Orchestration;

/// <summary>
/// The Durable data converter of the standalone host: the SDK's default (System.Text.Json with fields
/// included) except that null members are not written. Every activity input, event and result of a
/// coordinator orchestration is stored in its history and re-read on every replay; the engine's
/// records carry many optional members (a notification's action has a dozen, mostly null). Leaving
/// the nulls out makes a notification's input a fifth smaller and the host benchmark's history 5%
/// smaller (20.3k characters against 21.4k).
/// </summary>
/// <remarks>
/// Reading is unchanged: a missing member reads as null, so histories and statuses written with
/// the default converter (older instances, the Functions host) read the same.
/// </remarks>
public static class CoordinatorDataConverter
{
    public static JsonDataConverter Instance { get; } = new(new JsonSerializerOptions
    {
        IncludeFields = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });
}
