using System.Diagnostics.CodeAnalysis;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Coordinator.Core.Definitions.Parsing;

/// <summary>
/// Reads a YAML document into a <see cref="SyntaxNode"/> tree with the line and column of every node,
/// using YamlDotNet's event parser. Mapping entries are kept as written (duplicates included) so the
/// definition reader can report duplicate keys. Anchors and aliases are resolved.
/// </summary>
internal sealed class YamlSyntaxReader
{
    private const int MaxDepth = 64;

    private readonly string file;
    private readonly DiagnosticBag diagnostics;
    private readonly Dictionary<string, SyntaxNode> anchors = new(StringComparer.Ordinal);
    private Mark lastMark = Mark.Empty;

    // The last line of the text and its length: YamlDotNet places the end of a stream that lacks a
    // final line break on the (nonexistent) next line; such positions are moved to the end of the text.
    private readonly int lastLine = 1;
    private readonly int lastLineLength;

    private YamlSyntaxReader(string text, string file, DiagnosticBag diagnostics)
    {
        this.file = file;
        this.diagnostics = diagnostics;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (ch is '\n' or '\u0085' or '\u2028' or '\u2029' || (ch == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
            {
                lastLine++;
                lastLineLength = 0;
            }
            else if (ch != '\r')
            {
                lastLineLength++;
            }
        }
    }

    /// <summary>The root node, or null when the text is not one well-formed YAML document (reported).</summary>
    public static SyntaxNode? Read(string text, string file, DiagnosticBag diagnostics)
    {
        var reader = new YamlSyntaxReader(text, file, diagnostics);
        try
        {
            return reader.ReadStream(new Parser(new StringReader(text)));
        }
        catch (YamlException e)
        {
            diagnostics.Error(DiagnosticCodes.SyntaxError, reader.At(e.Start), $"YAML syntax error: {Describe(e)}");
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way on some truncated inputs (for example a flow
            // sequence left open at the end of the file) instead of raising a YamlException.
            diagnostics.Error(DiagnosticCodes.SyntaxError, reader.At(reader.lastMark),
                "YAML syntax error: the document cannot be read past this point; look for an unclosed '[', '{' or quote.");
            return null;
        }
    }

    private SyntaxNode? ReadStream(IParser parser)
    {
        parser.Consume<StreamStart>();
        if (Next<StreamEnd>(parser, out var end))
        {
            diagnostics.Error(DiagnosticCodes.NotOneDocument, At(end.Start), "the file is empty; it must hold one workflow definition (start with 'schema: coordinator/v1').");
            return null;
        }
        parser.Consume<DocumentStart>();
        var root = ReadNode(parser, 0);
        if (root is null)
            return null;
        parser.Consume<DocumentEnd>();
        if (parser.Accept<DocumentStart>(out var second))
        {
            diagnostics.Error(DiagnosticCodes.NotOneDocument, At(second.Start), "the file holds more than one YAML document; put each workflow in its own file.");
            return null;
        }
        return root;
    }

    private SyntaxNode? ReadNode(IParser parser, int depth)
    {
        if (depth > MaxDepth)
        {
            var current = parser.Current;
            diagnostics.Error(DiagnosticCodes.UnsupportedYaml, current is null ? At(Mark.Empty) : At(current.Start), $"the document nests deeper than {MaxDepth} levels.");
            return null;
        }

        if (Next<AnchorAlias>(parser, out var alias))
        {
            if (anchors.TryGetValue(alias.Value.Value, out var target))
                return target;
            diagnostics.Error(DiagnosticCodes.UnsupportedYaml, At(alias.Start), $"the alias '*{alias.Value}' refers to no anchor defined before it; define '&{alias.Value}' on an earlier node.");
            return null;
        }

        if (Next<Scalar>(parser, out var scalar))
        {
            var node = new ScalarNode(At(scalar.Start), scalar.Value, scalar.Style == ScalarStyle.Plain);
            return Remember(scalar.Anchor, node);
        }

        if (Next<SequenceStart>(parser, out var sequenceStart))
        {
            var items = new List<SyntaxNode>();
            while (!Next<SequenceEnd>(parser, out _))
            {
                var item = ReadNode(parser, depth + 1);
                if (item is null)
                    return null;
                items.Add(item);
            }
            return Remember(sequenceStart.Anchor, new SequenceNode(At(sequenceStart.Start), items));
        }

        if (Next<MappingStart>(parser, out var mappingStart))
        {
            var entries = new List<KeyValuePair<SyntaxNode, SyntaxNode>>();
            while (!Next<MappingEnd>(parser, out _))
            {
                var key = ReadNode(parser, depth + 1);
                if (key is null)
                    return null;
                var value = ReadNode(parser, depth + 1);
                if (value is null)
                    return null;
                entries.Add(new(key, value));
            }
            return Remember(mappingStart.Anchor, new MappingNode(At(mappingStart.Start), entries));
        }

        var unexpected = parser.Current;
        throw new SemanticErrorException(unexpected?.Start ?? Mark.Empty, unexpected?.End ?? Mark.Empty, $"unexpected {unexpected?.GetType().Name ?? "end of input"}.");
    }

    /// <summary>Consumes the next event when it is a <typeparamref name="T"/>, remembering where it ended.</summary>
    private bool Next<T>(IParser parser, [MaybeNullWhen(false)] out T parsingEvent)
        where T : ParsingEvent
    {
        if (!parser.TryConsume(out parsingEvent))
            return false;
        lastMark = parsingEvent.End;
        return true;
    }

    private SyntaxNode Remember(AnchorName anchor, SyntaxNode node)
    {
        if (!anchor.IsEmpty)
            anchors[anchor.Value] = node;
        return node;
    }

    private SourceLocation At(Mark mark)
    {
        var line = (int)Math.Clamp(mark.Line, 1, int.MaxValue);
        if (line > lastLine)
            return new SourceLocation(file, lastLine, lastLineLength + 1);
        return new SourceLocation(file, line, (int)Math.Clamp(mark.Column, 1, int.MaxValue));
    }

    // YamlDotNet prefixes its messages with the position ("(Line: 3, Col: 5, Idx: 20) - (...): ");
    // the diagnostic already carries it.
    private static string Describe(YamlException e)
    {
        var message = e.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && cut >= 0)
            message = message[(cut + 3)..];
        message = message.Trim();
        return message.Length == 0 ? "the document is not well-formed YAML." : message;
    }
}
