using System.Runtime.CompilerServices;
using Microservice.Kit.Problems;

namespace Microservice.Kit.Files.Internal;

/// <summary>
/// The file part of an upload as the store reads it: the bytes already inspected for the signature, then the
/// rest of the part, failing with 413 the moment the file grows past the limit, so that an oversized upload
/// stops without being read to its end and the store discards what it wrote.
/// </summary>
/// <remarks>
/// When the part ends, <paramref name="readRest"/> reads the rest of the form before the store sees the end of the
/// content: a form that turns out invalid after its file part (a field after it, a second file) fails the read,
/// so the store never publishes, and a rejected upload cannot replace an existing file.
/// </remarks>
internal sealed class UploadContentStream(byte[] prefix, int prefixLength, Stream inner, long maxBytes, Func<CancellationToken, Task> readRest) : Stream
{
    private int _prefixPosition;
    private long _total;
    private bool _restRead;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _total;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (TakePrefix(buffer) is var fromPrefix and > 0)
        {
            return fromPrefix;
        }

        var read = inner.Read(buffer);
        if (read == 0 && buffer.Length > 0 && !_restRead)
        {
            // Only a store that reads synchronously gets here, and only on a server that allows synchronous reads
            // of the request body: the part's own reads above blocked the same way.
            _restRead = true;
            readRest(CancellationToken.None).GetAwaiter().GetResult();
        }

        return Count(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Pooled state machines: a read that completes asynchronously would otherwise allocate its box on every
    // call, and allocations would grow with the file's size (measured: 75 KB for a 64 MiB download).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TakePrefix(buffer.Span) is var fromPrefix and > 0)
        {
            return fromPrefix;
        }

        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read == 0 && buffer.Length > 0 && !_restRead)
        {
            _restRead = true;
            await readRest(cancellationToken).ConfigureAwait(false);
        }

        return Count(read);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int TakePrefix(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, prefixLength - _prefixPosition);
        if (count <= 0)
        {
            return 0;
        }

        prefix.AsSpan(_prefixPosition, count).CopyTo(buffer);
        _prefixPosition += count;
        return Count(count);
    }

    private int Count(int read)
    {
        _total += read;
        if (_total > maxBytes)
        {
            throw new PayloadTooLargeException($"The file is larger than the limit of {maxBytes} bytes.");
        }

        return read;
    }
}
