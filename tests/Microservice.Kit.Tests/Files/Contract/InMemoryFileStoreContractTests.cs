using Microservice.Kit.Files;

namespace Microservice.Kit.Tests.Files.Contract;

/// <summary>The file store contract in process memory (<see cref="InMemoryFileStore"/>).</summary>
public sealed class InMemoryFileStoreContractTests : FileStoreContractTests
{
    private InMemoryFileStore? _store;

    protected override FileStoreProvider Provider => InMemoryFileStoreProvider.Instance;

    protected override Task<IFileStore> CreateProviderStoreAsync() => Task.FromResult<IFileStore>(_store = new InMemoryFileStore(Time));

    protected override async Task<IReadOnlyList<string>> HeldAsync() =>
        [.. (await _store!.ListAsync(pageSize: 1000)).Items.Select(i => i.FileId)];
}
