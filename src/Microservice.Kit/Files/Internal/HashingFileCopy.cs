using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Tasks.Sources;
using Microsoft.Win32.SafeHandles;

namespace Microservice.Kit.Files.Internal;

/// <summary>
/// Copies a stream into a file at an offset and computes the content's SHA-256, with the hash of one chunk running
/// beside the write of the same chunk and the read of the next: two pooled buffers, one write in flight on a
/// thread-pool thread, the hash and the next read on the caller's. Nothing is flushed here (the caller fsyncs once,
/// after the header).
/// </summary>
/// <remarks>
/// The write is a synchronous positional write queued as this object itself (<see cref="IThreadPoolWorkItem"/>) and
/// awaited through a reusable <see cref="IValueTaskSource"/>, so a chunk allocates nothing and a copy allocates the
/// same whatever the size. On Unix a file write has no asynchronous path to overlap with; a second thread is the only
/// way to keep the disk busy while SHA-256 runs.
/// </remarks>
internal sealed class HashingFileCopy : IThreadPoolWorkItem, IValueTaskSource
{
    private readonly SafeFileHandle _target;
    private ManualResetValueTaskSourceCore<bool> _write = new() { RunContinuationsAsynchronously = false };
    private byte[] _chunk = [];
    private int _count;
    private long _offset;
    private bool _writing;

    private HashingFileCopy(SafeFileHandle target) => _target = target;

    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/> from <paramref name="offset"/> on.</summary>
    /// <param name="source">The content.</param>
    /// <param name="target">The file, opened for writing.</param>
    /// <param name="offset">Where the content starts in the file.</param>
    /// <param name="bufferBytes">The size of each of the two buffers.</param>
    /// <param name="beforeWrite">Called with each chunk's length before it is written (space checks); may throw.</param>
    /// <param name="cancellationToken">Stops reading the source.</param>
    /// <returns>The number of bytes copied and their SHA-256 in lowercase hex.</returns>
    public static async Task<(long Size, string Sha256)> CopyAsync(
        Stream source, SafeFileHandle target, long offset, int bufferBytes, Action<int> beforeWrite, CancellationToken cancellationToken)
    {
        var copy = new HashingFileCopy(target);
        var current = ArrayPool<byte>.Shared.Rent(bufferBytes);
        var next = ArrayPool<byte>.Shared.Rent(bufferBytes);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var start = offset;
        try
        {
            var read = await source.ReadAtLeastAsync(current.AsMemory(0, bufferBytes), bufferBytes, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            while (read > 0)
            {
                beforeWrite(read);
                copy.StartWrite(current, read, offset);
                // The write and the hash only read the chunk; the next read fills the other buffer.
                hash.AppendData(current, 0, read);
                offset += read;
                var nextRead = await source.ReadAtLeastAsync(next.AsMemory(0, bufferBytes), bufferBytes, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                await copy.WaitForWriteAsync().ConfigureAwait(false);
                (current, next) = (next, current);
                read = nextRead;
            }

            Span<byte> digest = stackalloc byte[32];
            hash.GetHashAndReset(digest);
            return (offset - start, Convert.ToHexStringLower(digest));
        }
        finally
        {
            // A failed read or space check may leave a write in flight: the buffers go back to the pool only after it.
            if (copy._writing)
            {
                try
                {
                    await copy.WaitForWriteAsync().ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // The exception that is already propagating is the one to report; the file is discarded either way.
                }
            }

            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
        }
    }

    private void StartWrite(byte[] chunk, int count, long offset)
    {
        _chunk = chunk;
        _count = count;
        _offset = offset;
        _writing = true;
        _write.Reset();
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    private ValueTask WaitForWriteAsync()
    {
        _writing = false;
        return new ValueTask(this, _write.Version);
    }

    void IThreadPoolWorkItem.Execute()
    {
        try
        {
            RandomAccess.Write(_target, _chunk.AsSpan(0, _count), _offset);
            _write.SetResult(true);
        }
        catch (Exception exception)
        {
            // Handed to the awaiting copy, which rethrows it (a full disk becomes a 507 there).
            _write.SetException(exception);
        }
    }

    void IValueTaskSource.GetResult(short token) => _write.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _write.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _write.OnCompleted(continuation, state, token, flags);
}
