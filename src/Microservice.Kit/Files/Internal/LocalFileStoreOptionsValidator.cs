using Microsoft.Extensions.Options;

namespace Microservice.Kit.Files.Internal;

/// <summary>The local provider's rules across properties, checked only for a store that uses it, with messages that name the full key.</summary>
internal sealed class LocalFileStoreOptionsValidator(string optionsName, string key, IOptionsMonitor<FileStoreOptions> stores) : IValidateOptions<LocalFileStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, LocalFileStoreOptions options)
    {
        if (!string.Equals(optionsName, name, StringComparison.Ordinal)
            || !ProviderOptionsValidator<LocalFileStoreOptions>.Uses(stores, optionsName, LocalFileStoreProvider.BackendName))
        {
            return ValidateOptionsResult.Skip;
        }

        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.RootPath))
        {
            return ValidateOptionsResult.Fail($"{key}:RootPath is required when {key}:Backend is Local.");
        }

        if (options.RootPath.IndexOfAny(Path.GetInvalidPathChars()) >= 0 || options.RootPath.Contains('\0', StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Fail($"{key}:RootPath is not a valid path.");
        }

        return ValidateOptionsResult.Success;
    }
}
