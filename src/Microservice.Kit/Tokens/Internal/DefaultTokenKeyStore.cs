using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>The key store when the application registers none: the key directory's file if set, else memory.</summary>
internal static class DefaultTokenKeyStore
{
    public static ITokenKeyStore Create(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<TokenOptions>>().Value;
        if (string.IsNullOrEmpty(options.KeyDirectory))
        {
            return new InMemoryTokenKeyStore();
        }

        // A relative key directory is resolved against the content root, like the rest of a service's data.
        var contentRoot = provider.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();
        var path = Path.Combine(Path.GetFullPath(options.KeyDirectory, contentRoot), FileTokenKeyStore.KeyFileName);
        return new FileTokenKeyStore(path, provider.GetRequiredService<ILoggerFactory>().CreateLogger<LocalKeyRing>());
    }
}
