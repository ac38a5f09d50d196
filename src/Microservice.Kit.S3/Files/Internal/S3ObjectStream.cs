using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;

namespace Microservice.Kit.S3.Files.Internal;

/// <summary>
/// A read-only, seekable view of one version of an object: reading opens one ranged <c>GET</c> from the position to the
/// end, and a seek elsewhere closes it, so a range request reads only its bytes onward. Every <c>GET</c> carries
/// <c>If-Match</c> with the object's ETag, so a file replaced while it is read fails the read instead of mixing versions.
/// </summary>
internal sealed class S3ObjectStream(IAmazonS3 client, string bucket, string key, string? objectETag, long length) : Stream
{
    private GetObjectResponse? _response;
    private Stream? _body;
    private long _position;
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

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Pooled: a copy of 64 MiB is ~1,000 reads that mostly wait for the network, and each would otherwise allocate its
    // state machine; the read's allocations then stay those of the SDK's own stream (docs/performance.md, S3 store).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var count = (int)Math.Min(buffer.Length, length - _position);
        if (count <= 0)
        {
            return 0;
        }

        if (_body is null)
        {
            try
            {
                _response = await S3Errors.CallAsync(t => client.GetObjectAsync(new GetObjectRequest
                {
                    BucketName = bucket,
                    Key = key,
                    ByteRange = new ByteRange(_position, length - 1),
                    EtagToMatch = objectETag,
                }, t), cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception exception) when (S3Errors.IsPreconditionFailed(exception) || S3Errors.IsNotFound(exception))
            {
                throw new IOException("The file was replaced or deleted while it was being read.", exception);
            }

            _body = _response.ResponseStream;
        }

        var read = await _body.ReadAsync(buffer[..count], cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new IOException("The object store ended the content early.");
        }

        _position += read;
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
        if (target != _position)
        {
            CloseBody();
            _position = target;
        }

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
            CloseBody();
        }

        base.Dispose(disposing);
    }

    private void CloseBody()
    {
        _body?.Dispose();
        _response?.Dispose();
        _body = null;
        _response = null;
    }
}
