using Microservice.Kit.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Microservice.Kit.Tests.Tokens;

/// <summary>The token services without a web host, on a fake clock.</summary>
internal sealed class TokenServices : IDisposable
{
    private readonly ServiceProvider _provider;

    public TokenServices(Action<TokenOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug).AddFakeLogging());
        services.AddSingleton<TimeProvider>(Time);
        services.AddMicroserviceKit(options => options.ServiceName = "employees")
            .AddTokenValidation(options => configure?.Invoke(options))
            .AddTokenIssuer();
        _provider = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 28, 5, 0, 0, TimeSpan.Zero));

    public ITokenIssuer Issuer => _provider.GetRequiredService<ITokenIssuer>();

    public ITokenValidator Validator => _provider.GetRequiredService<ITokenValidator>();

    public ITokenKeyManager Keys => _provider.GetRequiredService<ITokenKeyManager>();

    public FakeLogCollector Logs => _provider.GetFakeLogCollector();

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public void Dispose() => _provider.Dispose();
}
