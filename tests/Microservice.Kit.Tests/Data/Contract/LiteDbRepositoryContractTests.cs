namespace Microservice.Kit.Tests.Data.Contract;

/// <summary>The repository contract on LiteDB.</summary>
public sealed class LiteDbRepositoryContractTests(LiteDbBackendFixture fixture) : RepositoryContractTests<LiteDbBackendFixture>(fixture);
