using Microsoft.Extensions.Options;

namespace Microservice.Kit.Data.Internal;

/// <summary>Checks what DataAnnotations cannot: that the connection string parses and uses direct mode.</summary>
internal sealed class LiteDbOptionsValidator(string key) : IValidateOptions<LiteDbOptions>
{
    public ValidateOptionsResult Validate(string? name, LiteDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Skip; // [Required] reports it
        }

        try
        {
            LiteDbFiles.Parse(options.ConnectionString);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException exception)
        {
            var reason = exception.Message;
            var suffix = " (Parameter 'connectionString')";
            if (reason.EndsWith(suffix, StringComparison.Ordinal))
            {
                reason = reason[..^suffix.Length];
            }

            return ValidateOptionsResult.Fail($"{key}:ConnectionString {reason}");
        }
    }
}
