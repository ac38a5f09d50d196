using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Hosting.Internal;

/// <summary>
/// Validates an options object's DataAnnotations, following <see cref="ValidateObjectMembersAttribute"/> and
/// <see cref="ValidateEnumeratedItemsAttribute"/> into nested objects, dictionaries and lists, and names every
/// failure by its full configuration key (<c>MicroserviceKit:Clients:employees:BaseAddress</c>).
/// </summary>
/// <remarks>
/// The source-generated <c>[OptionsValidator]</c> names a nested member by its property name alone, which does
/// not tell an operator which setting to fix; this runs once at start, so reflection costs nothing that matters.
/// </remarks>
internal sealed class KeyedDataAnnotationsValidator<TOptions>(string? optionsName, string sectionPath) : IValidateOptions<TOptions>
    where TOptions : class
{
    private const int MaxDepth = 16;

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        if (optionsName is not null && !string.Equals(optionsName, name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        ValidateObject(options, sectionPath, errors, depth: 0);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static void ValidateObject(object instance, string path, List<string> errors, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        foreach (var property in instance.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanRead || property.GetIndexParameters().Length != 0)
            {
                continue;
            }

            var key = path + ":" + property.Name;
            var value = property.GetValue(instance);
            var context = new ValidationContext(instance) { MemberName = property.Name, DisplayName = key };
            foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>(inherit: true))
            {
                var result = attribute.GetValidationResult(value, context);
                if (result is not null && result != ValidationResult.Success)
                {
                    errors.Add(Name(key, result.ErrorMessage));
                }
            }

            if (value is null)
            {
                continue;
            }

            if (property.IsDefined(typeof(ValidateObjectMembersAttribute), inherit: true))
            {
                ValidateObject(value, key, errors, depth + 1);
            }

            if (property.IsDefined(typeof(ValidateEnumeratedItemsAttribute), inherit: true))
            {
                ValidateItems(value, key, errors, depth + 1);
            }
        }

        if (instance is IValidatableObject validatable)
        {
            foreach (var result in validatable.Validate(new ValidationContext(instance) { DisplayName = path }))
            {
                var members = result.MemberNames.ToList();
                var key = members.Count == 1 ? path + ":" + members[0] : path;
                errors.Add(Name(key, result.ErrorMessage));
            }
        }
    }

    private static void ValidateItems(object value, string key, List<string> errors, int depth)
    {
        if (value is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                if (entry.Value is not null)
                {
                    ValidateObject(entry.Value, key + ":" + entry.Key, errors, depth);
                }
            }
        }
        else if (value is IEnumerable items and not string)
        {
            var index = 0;
            foreach (var item in items)
            {
                if (item is not null)
                {
                    ValidateObject(item, key + ":" + index.ToString(System.Globalization.CultureInfo.InvariantCulture), errors, depth);
                }

                index++;
            }
        }
    }

    private static string Name(string key, string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return key + " is invalid.";
        }

        return message.Contains(key, StringComparison.Ordinal) ? message : key + " " + message;
    }
}
