using Microservice.Kit.Files;
using Microservice.Kit.S3.Files;
using Microservice.Kit.S3.Files.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts a kit file store on AWS S3 or any S3-compatible object store.</summary>
public static class S3FileStoreBuilderExtensions
{
    /// <summary>
    /// Stores the files of this store in an S3 bucket (<see cref="S3FileStore"/>), with <see cref="S3FileStoreOptions"/>
    /// bound from the store's configuration section, then <paramref name="configure"/>; validated on start, with the
    /// readiness check <c>files</c> / <c>files:&lt;name&gt;</c> probing the bucket.
    /// </summary>
    /// <param name="store">The store's builder (<c>AddFileStore(...)</c>).</param>
    /// <param name="configure">Sets the S3 options in code; <see langword="null"/> for configuration only.</param>
    /// <returns>The store's builder.</returns>
    public static FileStoreBuilder UseS3(this FileStoreBuilder store, Action<S3FileStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.UseProvider(S3FileStoreProvider.Instance);
        if (configure is not null)
        {
            store.AddProviderOptions(S3FileStoreProvider.BackendName, configure);
        }

        return store;
    }

    /// <summary>
    /// Makes the <c>S3</c> provider known to every file store without selecting it, so that configuration
    /// (<c>MicroserviceKit:Files:Stores:&lt;name&gt;:Backend = S3</c>) can choose it.
    /// </summary>
    /// <param name="store">The store's builder.</param>
    /// <returns>The store's builder.</returns>
    public static FileStoreBuilder AddS3Provider(this FileStoreBuilder store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.AddProvider(S3FileStoreProvider.Instance);
    }
}
