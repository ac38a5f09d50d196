using Microservice.Kit.Files;

namespace Microservice.Kit.Tests.Files.Contract;

/// <summary>The file store contract on the local disk (<see cref="LocalFileStore"/>).</summary>
public sealed class LocalFileStoreContractTests : FileStoreContractTests, IDisposable
{
    private readonly TempDirectory _root = new();

    protected override FileStoreProvider Provider => LocalFileStoreProvider.Instance;

    public void Dispose() => _root.Dispose();

    protected override Task<IFileStore> CreateProviderStoreAsync() => Task.FromResult<IFileStore>(new LocalFileStore(_root.Path, flushToDisk: true, Time));

    protected override Task<IReadOnlyList<string>> HeldAsync() => Task.FromResult<IReadOnlyList<string>>(_root.Entries());
}
