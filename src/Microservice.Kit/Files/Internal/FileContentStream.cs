using Microsoft.Win32.SafeHandles;

namespace Microservice.Kit.Files.Internal;

/// <summary>
/// A read-only, seekable view of a stored file's content: <see cref="RandomAccess"/> reads at the header offset,
/// with no buffer of its own (callers copy in large chunks) and a count of the bytes served for the metrics.
/// </summary>
internal sealed class FileContentStream(SafeFileHandle handle, long offset, long length) : Stream
{
    private long _position;
    private long _bytesRead;
    private bool _disposed;

    public override bool CanRead => !_disposed;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var count = (int)Math.Min(buffer.Length, length - _position);
        if (count <= 0)
        {
            return 0;
        }

        var read = RandomAccess.Read(handle, buffer[..count], offset + _position);
        Advance(read);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var count = (int)Math.Min(buffer.Length, length - _position);
        if (count <= 0)
        {
            return 0;
        }

        var read = await RandomAccess.ReadAsync(handle, buffer[..count], offset + _position, cancellationToken).ConfigureAwait(false);
        Advance(read);
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return target;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            handle.Dispose();
            FileMetrics.BytesRead(_bytesRead, "local");
        }

        base.Dispose(disposing);
    }

    private void Advance(int read)
    {
        _position += read;
        _bytesRead += read;
    }
}
