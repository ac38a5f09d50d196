namespace Microservice.Kit.Data;

/// <summary>
/// Collects what is wrong with an entity, field by field, in a repository's or entity's validation rules. A
/// non-empty collection makes the add or update fail with a 400 <see cref="Problems.ValidationException"/>
/// that lists every field's messages.
/// </summary>
public sealed class ValidationErrors
{
    private Dictionary<string, List<string>>? _errors;

    /// <summary>Whether no error was added.</summary>
    public bool IsEmpty => _errors is null || _errors.Count == 0;

    /// <summary>Adds an error for a field.</summary>
    /// <param name="field">The field's name as clients see it, usually its JSON name (<c>name</c>).</param>
    /// <param name="message">What is wrong with it (<c>must be 1 to 255 characters</c>).</param>
    /// <returns>This collection.</returns>
    public ValidationErrors Add(string field, string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        ArgumentException.ThrowIfNullOrEmpty(message);
        _errors ??= new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
        return this;
    }

    /// <summary>Adds an error for a field when a rule does not hold.</summary>
    /// <param name="rule">The rule; the error is added when it is <see langword="false"/>.</param>
    /// <param name="field">The field's name as clients see it.</param>
    /// <param name="message">What is wrong with it.</param>
    /// <returns>This collection.</returns>
    public ValidationErrors Check(bool rule, string field, string message) => rule ? this : Add(field, message);

    /// <summary>Adds an error when a string is null, white space, or longer or shorter than allowed.</summary>
    /// <param name="value">The value.</param>
    /// <param name="field">The field's name as clients see it.</param>
    /// <param name="minLength">The fewest characters allowed, at least 1.</param>
    /// <param name="maxLength">The most characters allowed.</param>
    /// <returns>This collection.</returns>
    public ValidationErrors Length(string? value, string field, int minLength, int maxLength)
    {
        var ok = !string.IsNullOrWhiteSpace(value) && value.Length >= minLength && value.Length <= maxLength;
        return ok ? this : Add(field, $"must be {minLength} to {maxLength} characters");
    }

    internal Dictionary<string, string[]> ToDictionary(string prefix)
    {
        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (_errors is not null)
        {
            foreach (var (field, messages) in _errors)
            {
                result[prefix + field] = [.. messages];
            }
        }

        return result;
    }
}

/// <summary>An entity that states its own validation rules, run by the repository on every add and update.</summary>
public interface IValidatableEntity
{
    /// <summary>Adds an error for each rule this entity breaks.</summary>
    /// <param name="errors">Where to add them.</param>
    void Validate(ValidationErrors errors);
}
