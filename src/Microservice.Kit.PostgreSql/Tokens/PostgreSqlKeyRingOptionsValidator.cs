using Microsoft.Extensions.Options;

namespace Microservice.Kit.PostgreSql.Tokens;

/// <summary>Checks the encryption keys on start; messages name the setting and never quote a value.</summary>
internal sealed class PostgreSqlKeyRingOptionsValidator(string sectionKey) : IValidateOptions<PostgreSqlKeyRingOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgreSqlKeyRingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.EncryptionKey))
        {
            failures.Add($"{sectionKey}:EncryptionKey is required: {KeyEncryption.KeyBytes} random bytes in base64 (openssl rand -base64 32), the same on every replica.");
        }
        else if (TryDecode(options.EncryptionKey) is null)
        {
            failures.Add($"{sectionKey}:EncryptionKey must be {KeyEncryption.KeyBytes} bytes in base64.");
        }

        for (var i = 0; i < options.PreviousEncryptionKeys.Count; i++)
        {
            if (TryDecode(options.PreviousEncryptionKeys[i]) is null)
            {
                failures.Add($"{sectionKey}:PreviousEncryptionKeys:{i} must be {KeyEncryption.KeyBytes} bytes in base64.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static byte[]? TryDecode(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var buffer = new byte[KeyEncryption.KeyBytes + 3];
        return Convert.TryFromBase64String(value.Trim(), buffer, out var written) && written == KeyEncryption.KeyBytes ? buffer[..written] : null;
    }
}
