using System.Text;
using System.Text.Json;

namespace Coordinator.Core.Definitions.Parsing;

/// <summary>
/// Reads a JSON document into a <see cref="SyntaxNode"/> tree with the line and column of every node.
/// Object members are kept as written (duplicates included) so the definition reader reports
/// duplicate keys exactly as for YAML. Strings are non-plain scalars; numbers, booleans and null are plain.
/// </summary>
internal sealed class JsonSyntaxReader
{
    private const int MaxDepth = 64;

    private readonly string file;
    private readonly byte[] utf8;
    private readonly List<int> lineStarts = [0];

    private JsonSyntaxReader(string text, string file)
    {
        this.file = file;
        utf8 = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
                lineStarts.Add(i + 1);
        }
    }

    /// <summary>The root node, or null when the text is not one well-formed JSON value (reported).</summary>
    public static SyntaxNode? Read(string text, string file, DiagnosticBag diagnostics)
    {
        var reader = new JsonSyntaxReader(text, file);
        var json = new Utf8JsonReader(reader.utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = MaxDepth });
        try
        {
            if (!json.Read())
            {
                diagnostics.Error(DiagnosticCodes.NotOneDocument, new SourceLocation(file, 1, 1), "the file is empty; it must hold one workflow definition as a JSON object.");
                return null;
            }
            var root = reader.ReadValue(ref json);
            while (json.Read())
            {
                // Trailing content makes the reader throw; comments are skipped.
            }
            return root;
        }
        catch (JsonException e)
        {
            var line = (int)Math.Min(e.LineNumber ?? 0, int.MaxValue);
            var location = reader.At(line, (int)Math.Min(e.BytePositionInLine ?? 0, int.MaxValue));
            diagnostics.Error(DiagnosticCodes.SyntaxError, location, $"JSON syntax error: {Describe(e)}");
            return null;
        }
        catch (InvalidOperationException e)
        {
            // Raised for strings that cannot be transcoded (for example an escaped lone surrogate).
            diagnostics.Error(DiagnosticCodes.SyntaxError, reader.At(json.TokenStartIndex), $"JSON syntax error: {e.Message}");
            return null;
        }
    }

    private SyntaxNode ReadValue(ref Utf8JsonReader json)
    {
        var location = At(json.TokenStartIndex);
        switch (json.TokenType)
        {
            case JsonTokenType.StartObject:
                var entries = new List<KeyValuePair<SyntaxNode, SyntaxNode>>();
                while (json.Read() && json.TokenType != JsonTokenType.EndObject)
                {
                    var key = new ScalarNode(At(json.TokenStartIndex), json.GetString() ?? "", isPlain: false);
                    json.Read();
                    entries.Add(new(key, ReadValue(ref json)));
                }
                return new MappingNode(location, entries);
            case JsonTokenType.StartArray:
                var items = new List<SyntaxNode>();
                while (json.Read() && json.TokenType != JsonTokenType.EndArray)
                    items.Add(ReadValue(ref json));
                return new SequenceNode(location, items);
            case JsonTokenType.String:
                return new ScalarNode(location, json.GetString() ?? "", isPlain: false);
            default:
                // Numbers, true, false, null: the literal text, as YAML would see an unquoted scalar.
                return new ScalarNode(location, Encoding.UTF8.GetString(json.ValueSpan), isPlain: true);
        }
    }

    private SourceLocation At(long byteOffset)
    {
        var offset = (int)Math.Clamp(byteOffset, 0, utf8.Length);
        var index = lineStarts.BinarySearch(offset);
        var line = index >= 0 ? index : ~index - 1;
        return At(line, offset - lineStarts[line]);
    }

    // line: 0-based; bytesIntoLine: 0-based byte count. Columns count characters, not bytes.
    private SourceLocation At(int line, int bytesIntoLine)
    {
        line = Math.Clamp(line, 0, lineStarts.Count - 1);
        var start = lineStarts[line];
        var length = Math.Clamp(bytesIntoLine, 0, utf8.Length - start);
        return new SourceLocation(file, line + 1, Encoding.UTF8.GetCharCount(utf8, start, length) + 1);
    }

    // System.Text.Json appends " LineNumber: 2 | BytePositionInLine: 7." to its messages.
    private static string Describe(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Trim();
    }
}
