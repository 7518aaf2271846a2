using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordinator.Hosting;

/// <summary>
/// Validates an options class by its data annotations at start-up (<c>ValidateOnStart</c>), with one
/// failure that names the section and carries each attribute's own message (which names the setting
/// and how to fix it): <c>Invalid settings in Coordinator:Durable: Coordinator:Durable:TaskHub must be ...</c>.
/// </summary>
public sealed class AnnotatedOptionsValidator<TOptions>(string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<ValidationResult>();
        return Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Invalid settings in {section}: {string.Join(" ", results.Select(r => r.ErrorMessage))}");
    }
}

/// <summary>Options bound from their section and validated at start-up.</summary>
public static class StartupOptions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="section"/> (<c>BindConfiguration</c>),
    /// checks its data annotations at start-up (<see cref="AnnotatedOptionsValidator{TOptions}"/>,
    /// <c>ValidateOnStart</c>), so a bad setting stops the host with one line before any work.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class
    {
        services.AddSingleton<IValidateOptions<TOptions>>(new AnnotatedOptionsValidator<TOptions>(section));
        return services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
    }

    /// <summary>
    /// One line for options that failed at start-up, each failure's message (see
    /// <see cref="AnnotatedOptionsValidator{TOptions}"/>); several classes failing at once come as an
    /// <see cref="AggregateException"/>. Null for any other exception.
    /// </summary>
    public static string? Describe(Exception e)
    {
        IEnumerable<OptionsValidationException>? failed = e switch
        {
            OptionsValidationException one => [one],
            AggregateException { InnerExceptions: var all } when all.Count > 0 && all.All(static x => x is OptionsValidationException) => all.Cast<OptionsValidationException>(),
            _ => null,
        };
        return failed is null ? null : string.Join(" ", failed.SelectMany(static f => f.Failures)).ReplaceLineEndings(" ");
    }
}
