using Microservice.Kit.Hosting;
using Microservice.Kit.PostgreSql;
using Microservice.Kit.PostgreSql.Internal;
using Microservice.Kit.PostgreSql.Tokens;
using Microservice.Kit.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Keeps the token issuer's key ring in PostgreSQL.</summary>
public static class PostgreSqlKeyRingKitBuilderExtensions
{
    private const string Subsection = "Tokens:PostgreSql";

    /// <summary>
    /// Keeps the token issuer's signing keys in table <c>kit_signing_keys</c> of the PostgreSQL database of
    /// <paramref name="connectionName"/> (added with <c>AddPostgreSqlDatabase</c> if it is not yet), private keys
    /// encrypted with <see cref="PostgreSqlKeyRingOptions.EncryptionKey"/>, so that every replica signs with, publishes
    /// and validates the same keys. Replaces <see cref="TokenOptions.KeyDirectory"/>. Options are bound from
    /// <c>MicroserviceKit:Tokens:PostgreSql</c> and validated on start.
    /// </summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="connectionName">The connection name (<c>Employees</c>).</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddPostgreSqlTokenKeyRing(this IMicroserviceKitBuilder kit, string connectionName)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        return AddCore(kit, connectionName, section: null, configure: null);
    }

    /// <summary>Keeps the key ring in PostgreSQL (see <see cref="AddPostgreSqlTokenKeyRing(IMicroserviceKitBuilder, string)"/>), with options set in code after binding.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="connectionName">The connection name (<c>Employees</c>).</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddPostgreSqlTokenKeyRing(this IMicroserviceKitBuilder kit, string connectionName, Action<PostgreSqlKeyRingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        ArgumentNullException.ThrowIfNull(configure);
        return AddCore(kit, connectionName, section: null, configure);
    }

    /// <summary>Keeps the key ring in PostgreSQL (see <see cref="AddPostgreSqlTokenKeyRing(IMicroserviceKitBuilder, string)"/>), with options bound from a section of your choice.</summary>
    /// <param name="kit">The kit builder.</param>
    /// <param name="connectionName">The connection name (<c>Employees</c>).</param>
    /// <param name="configuration">The section holding <see cref="PostgreSqlKeyRingOptions"/>.</param>
    /// <returns>The kit builder.</returns>
    public static IMicroserviceKitBuilder AddPostgreSqlTokenKeyRing(this IMicroserviceKitBuilder kit, string connectionName, IConfigurationSection configuration)
    {
        ArgumentNullException.ThrowIfNull(kit);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        ArgumentNullException.ThrowIfNull(configuration);
        return AddCore(kit, connectionName, configuration, configure: null);
    }

    private static IMicroserviceKitBuilder AddCore(IMicroserviceKitBuilder kit, string name, IConfigurationSection? section, Action<PostgreSqlKeyRingOptions>? configure)
    {
        kit.AddPostgreSqlDatabase(name);
        var services = kit.Services;
        section ??= kit.Configuration?.GetSection(Subsection);
        var sectionKey = section?.Path ?? $"{MicroserviceKitOptions.SectionName}:{Subsection}";

        var options = services.AddOptions<PostgreSqlKeyRingOptions>();
        if (section is not null)
        {
            options.Bind(section);
        }
        else
        {
            options.Configure<IServiceProvider>((o, provider) => provider.GetService<IConfiguration>()?.GetSection(sectionKey).Bind(o));
        }

        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlKeyRingOptions>>(new PostgreSqlKeyRingOptionsValidator(sectionKey)));
        services.AddSingleton<IPostgreSqlMigrationSource>(new PostgreSqlMigrationList(name, PostgreSqlTokenKeyStore.Migration));

        // The last registration wins over the core's default (the key directory's file, or memory), in either call order.
        services.RemoveAll<ITokenKeyStore>();
        services.AddSingleton<ITokenKeyStore>(provider =>
        {
            var value = provider.GetRequiredService<IOptions<PostgreSqlKeyRingOptions>>().Value;
            var encryption = new KeyEncryption(
                PostgreSqlKeyRingOptionsValidator.TryDecode(value.EncryptionKey) ?? throw new InvalidOperationException($"{sectionKey}:EncryptionKey must be {KeyEncryption.KeyBytes} bytes in base64."),
                value.PreviousEncryptionKeys.Select(PostgreSqlKeyRingOptionsValidator.TryDecode).OfType<byte[]>());
            return new PostgreSqlTokenKeyStore(
                provider.GetRequiredKeyedService<PostgreSqlDatabase>(name),
                encryption,
                sectionKey,
                provider.GetRequiredService<ILoggerFactory>().CreateLogger<PostgreSqlTokenKeyStore>());
        });
        return kit;
    }
}
