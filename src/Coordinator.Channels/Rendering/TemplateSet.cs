namespace Coordinator.Channels.Rendering;

/// <summary>
/// The templates messages are written with: the built-in ones, and per workflow the process owner's overrides
/// (<c>workflow-definitions/templates/&lt;workflow&gt;/&lt;kind&gt;.&lt;language&gt;.md</c>, loaded by <see cref="TemplateLoader"/>).
/// </summary>
public sealed class TemplateSet
{
    private static readonly IReadOnlyDictionary<(MessageKind, string), MessageTemplate> Defaults =
        BuiltInTemplates.Texts.ToDictionary(p => p.Key, p => MessageTemplate.BuiltIn(p.Value));

    private readonly IReadOnlyDictionary<(string Workflow, MessageKind Kind, string Language), MessageTemplate> _overrides;

    public TemplateSet(IReadOnlyDictionary<(string Workflow, MessageKind Kind, string Language), MessageTemplate>? overrides = null) =>
        _overrides = overrides ?? new Dictionary<(string, MessageKind, string), MessageTemplate>();

    /// <summary>The built-in wording only.</summary>
    public static TemplateSet BuiltIn { get; } = new();

    /// <summary>How many overrides the process owners wrote.</summary>
    public int OverrideCount => _overrides.Count;

    /// <summary>The workflow's own template for the kind and language, else the built-in one (English when the language has none).</summary>
    public MessageTemplate For(string workflowId, MessageKind kind, string language) =>
        _overrides.TryGetValue((workflowId, kind, language), out var own) ? own
        : Defaults.TryGetValue((kind, language), out var builtIn) ? builtIn
        : Defaults[(kind, "en")];
}
