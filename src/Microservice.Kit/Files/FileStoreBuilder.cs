using Microservice.Kit.Files.Internal;
using Microservice.Kit.Hosting;
using Microservice.Kit.Hosting.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Files;

/// <summary>
/// Returned by <c>AddFileStore</c>: chooses the store's provider (<c>UseLocalDisk</c>, <c>UseInMemory</c>, a provider
/// package's <c>UseS3</c>) and, being a kit builder itself, chains on to the kit's other features.
/// </summary>
public sealed class FileStoreBuilder : IMicroserviceKitBuilder
{
    private readonly IMicroserviceKitBuilder _kit;
    private readonly IConfigurationSection? _section;
    private readonly FileStoreRegistry _registry;

    internal FileStoreBuilder(IMicroserviceKitBuilder kit, string? name, string configurationKey, IConfigurationSection? section, FileStoreRegistry registry)
    {
        _kit = kit;
        Name = name;
        ConfigurationKey = configurationKey;
        _section = section;
        _registry = registry;
    }

    /// <inheritdoc/>
    public IServiceCollection Services => _kit.Services;

    /// <inheritdoc/>
    public IConfigurationSection? Configuration => _kit.Configuration;

    /// <summary>The store's name, or <see langword="null"/> for the unnamed store.</summary>
    public string? Name { get; }

    /// <summary>The name of the store's options: its name, or <see cref="Options.DefaultName"/> for the unnamed store.</summary>
    public string OptionsName => Name ?? Options.DefaultName;

    /// <summary>The store's configuration section (<c>MicroserviceKit:Files</c>, <c>MicroserviceKit:Files:Stores:pictures</c>).</summary>
    public string ConfigurationKey { get; }

    internal FileStoreContext Context => new(Name, OptionsName, ConfigurationKey);

    /// <summary>
    /// Adds a provider's options for this store, named <see cref="OptionsName"/>: bound from the store's configuration section
    /// (once, however often this is called), then <paramref name="configure"/>, and validated on start (DataAnnotations, with
    /// messages that name the full key) when the store's <see cref="FileStoreOptions.Backend"/> is <paramref name="backend"/>.
    /// </summary>
    /// <typeparam name="TOptions">The provider's options.</typeparam>
    /// <param name="backend">The provider's <see cref="FileStoreProvider.Backend"/>.</param>
    /// <param name="configure">Sets options in code, after configuration; <see langword="null"/> for none.</param>
    /// <returns>The options builder, to add validation.</returns>
    public OptionsBuilder<TOptions> AddProviderOptions<TOptions>(string backend, Action<TOptions>? configure = null)
        where TOptions : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backend);
        var builder = Services.AddOptions<TOptions>(OptionsName);
        if (_registry.MarkOptions(OptionsName, typeof(TOptions)))
        {
            var section = Name is null
                ? _kit.Configuration?.GetSection(FileStoreConstants.SectionName)
                : _section ?? _kit.Configuration?.GetSection(FileStoreConstants.StoresSectionName + ":" + Name);
            if (section is not null)
            {
                builder.Bind(section);
            }
            else
            {
                builder.BindFromServiceProvider(_kit, ConfigurationKey);
            }

            if (Name is null && _section is not null)
            {
                builder.Bind(_section);
            }

            builder.ValidateOnStart();
            var optionsName = OptionsName;
            var key = ConfigurationKey;
            Services.AddSingleton<IValidateOptions<TOptions>>(provider =>
                new ProviderOptionsValidator<TOptions>(optionsName, key, backend, provider.GetRequiredService<IOptionsMonitor<FileStoreOptions>>()));
        }

        if (configure is not null)
        {
            builder.Configure(configure);
        }

        return builder;
    }

    /// <summary>
    /// Makes <paramref name="provider"/> known to every file store (so that configuration can select it) and selects it for
    /// this one. Provider packages call it from their <c>UseXxx</c> extension method.
    /// </summary>
    /// <param name="provider">The provider; one instance per kind is kept, the first added.</param>
    /// <returns>This builder.</returns>
    public FileStoreBuilder UseProvider(FileStoreProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        AddProvider(provider);
        var backend = provider.Backend;
        Services.AddOptions<FileStoreOptions>(OptionsName).Configure(options => options.Backend = backend);
        return this;
    }

    /// <summary>
    /// Makes <paramref name="provider"/> known to every file store without selecting it, so that
    /// <c>MicroserviceKit:Files:Stores:&lt;name&gt;:Backend</c> can choose it.
    /// </summary>
    /// <param name="provider">The provider.</param>
    /// <returns>This builder.</returns>
    public FileStoreBuilder AddProvider(FileStoreProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        _registry.AddProvider(provider);
        return this;
    }
}
