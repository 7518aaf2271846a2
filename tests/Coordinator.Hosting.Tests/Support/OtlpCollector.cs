using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Coordinator.Hosting.Tests.Support;

/// <summary>A span as OTLP carries it: ids as lowercase hex, the parent empty for a root.</summary>
public sealed record CollectedSpan(string Service, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind)
{
    /// <summary>The span ids this span links to (Span.links: Link.span_id).</summary>
    public IReadOnlyList<string> Links { get; init; } = [];
}

/// <summary>
/// A loopback OTLP/HTTP collector (<c>POST /v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>, bodies in
/// <c>application/x-protobuf</c>), decoding what the tests check from the protobuf wire format by the
/// field numbers of opentelemetry-proto: spans with their ids and names, metric names. Anything else
/// answers 415 or 404, so a host that sends the wrong encoding or path is caught.
/// </summary>
public sealed class OtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<CollectedSpan> _spans = new();
    private readonly ConcurrentDictionary<string, string> _metrics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Metric, string Workflow), long> _gauges = new();
    private int _logBatches;

    private OtlpCollector(WebApplication app, string endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>What <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set to.</summary>
    public string Endpoint { get; }

    public IReadOnlyList<CollectedSpan> Spans => [.. _spans];

    /// <summary>Metric names received, each with the scope (meter) that sent it.</summary>
    public IReadOnlyDictionary<string, string> Metrics => _metrics;

    public int LogBatches => _logBatches;

    /// <summary>The latest value of each integer gauge data point received, by metric name and its <c>workflow</c> attribute.</summary>
    public IReadOnlyDictionary<(string Metric, string Workflow), long> Gauges => _gauges;

    public static async Task<OtlpCollector> StartAsync()
    {
        var port = Coordinator.Testing.ThrowawayAzurite.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var collector = new OtlpCollector(app, $"http://127.0.0.1:{port}");
        app.MapPost("/v1/{signal}", collector.ReceiveAsync);
        await app.StartAsync();
        return collector;
    }

    private async Task<IResult> ReceiveAsync(string signal, HttpRequest request)
    {
        if (request.ContentType != "application/x-protobuf")
            return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        switch (signal)
        {
            case "traces":
                foreach (var span in DecodeSpans(body))
                    _spans.Enqueue(span);
                break;
            case "metrics":
                foreach (var (scope, name) in DecodeMetricNames(body))
                    _metrics[name] = scope;
                foreach (var (name, workflow, value) in DecodeGauges(body))
                    _gauges[(name, workflow)] = value;
                break;
            case "logs":
                Interlocked.Increment(ref _logBatches);
                break;
            default:
                return Results.NotFound();
        }
        // An empty Export*ServiceResponse: full success.
        return Results.Bytes([], "application/x-protobuf");
    }

    private static IEnumerable<CollectedSpan> DecodeSpans(byte[] request)
    {
        // ExportTraceServiceRequest.resource_spans = 1; ResourceSpans.resource = 1, scope_spans = 2;
        // ScopeSpans.scope = 1, spans = 2; Span.trace_id = 1, span_id = 2, parent_span_id = 4, name = 5, kind = 6.
        foreach (var resourceSpans in Protobuf.Messages(request, 1))
        {
            var service = ServiceName(resourceSpans);
            foreach (var scopeSpans in Protobuf.Messages(resourceSpans, 2))
            {
                var scope = Protobuf.Messages(scopeSpans, 1).Select(s => Protobuf.String(s, 1)).FirstOrDefault() ?? "";
                foreach (var span in Protobuf.Messages(scopeSpans, 2))
                {
                    yield return new CollectedSpan(
                        service, scope, Protobuf.Hex(span, 1), Protobuf.Hex(span, 2), Protobuf.Hex(span, 4),
                        Protobuf.String(span, 5) ?? "", (int)Protobuf.Varint(span, 6))
                    {
                        // Span.links = 13; Link.span_id = 2.
                        Links = [.. Protobuf.Messages(span, 13).Select(link => Protobuf.Hex(link, 2))],
                    };
                }
            }
        }
    }

    private static IEnumerable<(string Scope, string Name)> DecodeMetricNames(byte[] request)
    {
        // ExportMetricsServiceRequest.resource_metrics = 1; ResourceMetrics.scope_metrics = 2; ScopeMetrics.scope = 1, metrics = 2; Metric.name = 1.
        foreach (var resourceMetrics in Protobuf.Messages(request, 1))
        {
            foreach (var scopeMetrics in Protobuf.Messages(resourceMetrics, 2))
            {
                var scope = Protobuf.Messages(scopeMetrics, 1).Select(s => Protobuf.String(s, 1)).FirstOrDefault() ?? "";
                foreach (var metric in Protobuf.Messages(scopeMetrics, 2))
                    yield return (scope, Protobuf.String(metric, 1) ?? "");
            }
        }
    }

    private static IEnumerable<(string Name, string Workflow, long Value)> DecodeGauges(byte[] request)
    {
        // Metric.gauge = 5; Gauge.data_points = 1; NumberDataPoint.as_int = 6 (sfixed64), attributes = 7 (KeyValue key = 1, value = 2: AnyValue string_value = 1).
        foreach (var metric in Protobuf.Messages(request, 1).SelectMany(r => Protobuf.Messages(r, 2)).SelectMany(s => Protobuf.Messages(s, 2)))
        {
            var name = Protobuf.String(metric, 1) ?? "";
            foreach (var point in Protobuf.Messages(metric, 5).SelectMany(g => Protobuf.Messages(g, 1)))
            {
                if (Protobuf.Fixed64(point, 6) is not { } value)
                    continue;
                var workflow = Protobuf.Messages(point, 7)
                    .Where(a => Protobuf.String(a, 1) == "workflow")
                    .Select(a => Protobuf.Messages(a, 2).Select(v => Protobuf.String(v, 1)).FirstOrDefault())
                    .FirstOrDefault() ?? "";
                yield return (name, workflow, (long)value);
            }
        }
    }

    /// <summary><c>service.name</c> of a resource (Resource.attributes = 1: KeyValue key = 1, value = 2: AnyValue string_value = 1).</summary>
    private static string ServiceName(ReadOnlyMemory<byte> resourceSpans)
    {
        foreach (var resource in Protobuf.Messages(resourceSpans, 1))
        {
            foreach (var attribute in Protobuf.Messages(resource, 1))
            {
                if (Protobuf.String(attribute, 1) == "service.name")
                    return Protobuf.Messages(attribute, 2).Select(v => Protobuf.String(v, 1)).FirstOrDefault() ?? "";
            }
        }
        return "";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Just enough of the protobuf wire format: varints, length-delimited fields, fixed 64-bit fields; fixed 32-bit fields skipped.</summary>
    private static class Protobuf
    {
        public static IEnumerable<ReadOnlyMemory<byte>> Messages(ReadOnlyMemory<byte> message, int field) =>
            Fields(message).Where(f => f.Number == field && f.WireType == 2).Select(f => f.Bytes);

        public static string? String(ReadOnlyMemory<byte> message, int field) =>
            Messages(message, field).Select(b => System.Text.Encoding.UTF8.GetString(b.Span)).FirstOrDefault();

        public static string Hex(ReadOnlyMemory<byte> message, int field) =>
            Messages(message, field).Select(b => Convert.ToHexStringLower(b.Span)).FirstOrDefault() ?? "";

        public static ulong Varint(ReadOnlyMemory<byte> message, int field) =>
            Fields(message).Where(f => f.Number == field && f.WireType == 0).Select(f => f.Value).FirstOrDefault();

        public static ulong? Fixed64(ReadOnlyMemory<byte> message, int field) =>
            Fields(message).Where(f => f.Number == field && f.WireType == 1).Select(f => (ulong?)f.Value).FirstOrDefault();

        private static List<(int Number, int WireType, ReadOnlyMemory<byte> Bytes, ulong Value)> Fields(ReadOnlyMemory<byte> message)
        {
            var fields = new List<(int, int, ReadOnlyMemory<byte>, ulong)>();
            var position = 0;
            var span = message.Span;
            while (position < span.Length)
            {
                var key = ReadVarint(span, ref position);
                var (number, wireType) = ((int)(key >> 3), (int)(key & 7));
                switch (wireType)
                {
                    case 0:
                        fields.Add((number, wireType, default, ReadVarint(span, ref position)));
                        break;
                    case 1:
                        fields.Add((number, wireType, default, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(span.Slice(position, 8))));
                        position += 8;
                        break;
                    case 2:
                        var length = (int)ReadVarint(span, ref position);
                        fields.Add((number, wireType, message.Slice(position, length), 0));
                        position += length;
                        break;
                    case 5:
                        position += 4;
                        break;
                    default:
                        throw new InvalidDataException($"Protobuf wire type {wireType} at byte {position}: not a message this collector can read.");
                }
            }
            return fields;
        }

        private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = span[position++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                    return value;
            }
        }
    }
}
