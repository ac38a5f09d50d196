using Microservice.Kit.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Microservice.Kit.Tests.Data.Contract;

/// <summary>
/// One backend under the repository contract (<see cref="RepositoryContractTests{TFixture}"/>): shared by the test class
/// (xunit's class fixture), it adds its backend to each test's kit over a store of that test's own, empty.
/// </summary>
public abstract class RepositoryBackendFixture
{
    /// <summary>The backend's name, for messages.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Adds the backend to a fresh kit (<c>AddLiteDb</c>, <c>AddPostgreSql</c>) over an empty store of its own: the
    /// contract tests assume no entity is stored when a test starts. Called once per test.
    /// </summary>
    /// <param name="kit">The test's kit.</param>
    public abstract void AddBackend(IMicroserviceKitBuilder kit);
}

/// <summary>LiteDB: a fresh in-memory database per test.</summary>
public sealed class LiteDbBackendFixture : RepositoryBackendFixture
{
    public override string Name => "litedb";

    public override void AddBackend(IMicroserviceKitBuilder kit) => kit.AddLiteDb(options => options.ConnectionString = ":memory:");
}
