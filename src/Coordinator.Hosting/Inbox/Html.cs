using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace Coordinator.Hosting.Inbox;

/// <summary>
/// Builds an HTML document. Text written through interpolation holes is HTML-encoded; only the
/// literal parts of the interpolated strings (written in this folder) and <see cref="Markup"/>
/// values are written as markup, so encoding cannot be forgotten.
/// </summary>
internal sealed class Html
{
    internal StringBuilder Builder { get; } = new(8 * 1024);

    /// <summary>Appends markup whose holes are encoded: <c>html.Add($"&lt;h2&gt;{title}&lt;/h2&gt;")</c>.</summary>
    public Html Add([InterpolatedStringHandlerArgument("")] ref HtmlHandler handler)
    {
        _ = handler;
        return this;
    }

    public override string ToString() => Builder.ToString();

    public static string Encode(string? text) => HtmlEncoder.Default.Encode(text ?? "");
}

/// <summary>Trusted markup written as is (constants of this folder only).</summary>
internal readonly record struct Markup(string Value);

/// <summary>The interpolation handler of <see cref="Html.Add"/>: literals are markup, holes are text.</summary>
[InterpolatedStringHandler]
internal readonly ref struct HtmlHandler
{
    private readonly StringBuilder _builder;

    public HtmlHandler(int literalLength, int formattedCount, Html html)
    {
        _ = formattedCount;
        _builder = html.Builder;
        _builder.EnsureCapacity(_builder.Length + literalLength);
    }

    public void AppendLiteral(string value) => _builder.Append(value);

    public void AppendFormatted(Markup markup) => _builder.Append(markup.Value);

    public void AppendFormatted(string? text) => _builder.Append(Html.Encode(text));

    public void AppendFormatted(int number) => _builder.Append(number.ToString(CultureInfo.InvariantCulture));
}
