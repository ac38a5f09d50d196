using Microservice.Kit.Files;

namespace Microservice.Kit.Tests.Files;

public sealed class InProcessFileStoreArbiterTests
{
    [Fact]
    public async Task TryAcquire_HeldKey_IsNull_FreeAgainOnceDisposed()
    {
        var arbiter = new InProcessFileStoreArbiter();

        var lease = await arbiter.TryAcquireAsync("s3:x/b/", ".instance-a");
        var second = await arbiter.TryAcquireAsync("s3:x/b/", ".instance-a");
        var otherScope = await arbiter.TryAcquireAsync("s3:x/c/", ".instance-a");
        Assert.NotNull(lease);
        Assert.Null(second);
        Assert.NotNull(otherScope);
        Assert.True(await lease!.IsHeldAsync());

        await lease.DisposeAsync();
        Assert.False(await lease.IsHeldAsync());
        var again = await arbiter.TryAcquireAsync("s3:x/b/", ".instance-a");
        Assert.NotNull(again);
        await again!.DisposeAsync();
        await otherScope!.DisposeAsync();
    }

    [Fact]
    public async Task TryAcquire_KeyHeldByAcquire_IsNull_AndAnotherArbiterSeesItFree()
    {
        var arbiter = new InProcessFileStoreArbiter();
        await using var held = await arbiter.AcquireAsync("s3:x/b/", "doc");

        Assert.Null(await arbiter.TryAcquireAsync("s3:x/b/", "doc"));
        var elsewhere = await new InProcessFileStoreArbiter().TryAcquireAsync("s3:x/b/", "doc");   // another process
        Assert.NotNull(elsewhere);
        await elsewhere!.DisposeAsync();
    }
}
