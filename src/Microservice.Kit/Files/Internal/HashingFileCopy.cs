using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Tasks.Sources;
using Microsoft.Win32.SafeHandles;

namespace Microservice.Kit.Files.Internal;

/// <summary>
/// Copies a stream into a file at an offset and computes the content's SHA-256, with the hash of one chunk running
/// beside the write of the same chunk and the read of the next when a core is free, and the disk writing back what
/// is already copied while the rest is hashed. Nothing is fsynced here (the caller fsyncs once, after the header).
/// </summary>
/// <remarks>
/// <para>Two pooled buffers. Each chunk's positional write is queued to the thread pool as this object itself
/// (<see cref="IThreadPoolWorkItem"/>) and awaited through a reusable <see cref="IValueTaskSource"/>, so a chunk
/// allocates nothing and a copy allocates the same whatever the size. On Unix a file write has no asynchronous path
/// to overlap with; a second thread is the only way to keep copying into the page cache while SHA-256 runs.</para>
/// <para>When the caller has hashed the chunk and read the next one and no pool thread has picked the write up yet
/// (no free core: the machine is busy), the caller takes the write back and does it itself. A hand-off then costs an
/// interlocked exchange instead of a wait for a core, so a busy machine gets the one-thread loop, not something
/// slower.</para>
/// <para>Every <c>writeBehindBytes</c>, the pages just written are handed to the disk (<see cref="WriteBehind"/>):
/// the disk is a second worker that needs no core, so the final fsync waits only for the tail.</para>
/// </remarks>
internal sealed class HashingFileCopy : IThreadPoolWorkItem, IValueTaskSource
{
    private const int Idle = 0;
    private const int Queued = 1;
    private const int Taken = 2;

    private readonly SafeFileHandle _target;
    private readonly long _writeBehindBytes;
    private ManualResetValueTaskSourceCore<bool> _write = new() { RunContinuationsAsynchronously = false };
    private byte[] _chunk = [];
    private int _count;
    private long _offset;
    private long _writtenBackTo;
    private int _state = Idle;
    private bool _started;

    private HashingFileCopy(SafeFileHandle target, long offset, long writeBehindBytes)
    {
        _target = target;
        _writtenBackTo = offset;
        _writeBehindBytes = writeBehindBytes;
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/> from <paramref name="offset"/> on.</summary>
    /// <param name="source">The content.</param>
    /// <param name="target">The file, opened for writing.</param>
    /// <param name="offset">Where the content starts in the file.</param>
    /// <param name="bufferBytes">The size of each of the two buffers.</param>
    /// <param name="writeBehindBytes">How many written bytes to hand to the disk at a time; 0 to leave write-back to the kernel.</param>
    /// <param name="beforeWrite">Called with each chunk's length before it is written (space checks); may throw.</param>
    /// <param name="cancellationToken">Stops reading the source.</param>
    /// <returns>The number of bytes copied and their SHA-256 in lowercase hex.</returns>
    public static Task<(long Size, string Sha256)> CopyAsync(
        Stream source, SafeFileHandle target, long offset, int bufferBytes, long writeBehindBytes, Action<int> beforeWrite, CancellationToken cancellationToken) =>
        CopyAsync(source, target, offset, bufferBytes, writeBehindBytes, beforeWrite, ArrayPool<byte>.Shared, cancellationToken);

    /// <summary>The same, renting the buffers from <paramref name="pool"/> (tests count what comes back).</summary>
    internal static async Task<(long Size, string Sha256)> CopyAsync(
        Stream source, SafeFileHandle target, long offset, int bufferBytes, long writeBehindBytes, Action<int> beforeWrite, ArrayPool<byte> pool, CancellationToken cancellationToken)
    {
        var copy = new HashingFileCopy(target, offset, writeBehindBytes);
        var current = pool.Rent(bufferBytes);
        var next = pool.Rent(bufferBytes);
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
                await copy.FinishWriteAsync().ConfigureAwait(false);
                (current, next) = (next, current);
                read = nextRead;
            }

            Span<byte> digest = stackalloc byte[32];
            hash.GetHashAndReset(digest);
            return (offset - start, Convert.ToHexStringLower(digest));
        }
        finally
        {
            // A failed read or space check may leave a write queued or running: the buffers go back to the pool only
            // after it (a queued one is done here, so nothing touches a buffer once it is returned).
            if (copy._started)
            {
                try
                {
                    await copy.FinishWriteAsync().ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // The exception that is already propagating is the one to report; the file is discarded either way.
                }
            }

            pool.Return(current);
            pool.Return(next);
        }
    }

    private void StartWrite(byte[] chunk, int count, long offset)
    {
        _chunk = chunk;
        _count = count;
        _offset = offset;
        _started = true;
        _write.Reset();
        Volatile.Write(ref _state, Queued);
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>Completes when the chunk started last is written: at once if the caller takes the write back itself.</summary>
    private ValueTask FinishWriteAsync()
    {
        _started = false;
        if (Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued)
        {
            // No pool thread has started it: waiting for one would only add a wait for a core.
            WriteChunk();
            return default;
        }

        return new ValueTask(this, _write.Version);
    }

    void IThreadPoolWorkItem.Execute()
    {
        // A work item whose chunk the caller took back (or that runs late, after the next chunk was queued and taken)
        // finds no queued write and does nothing.
        if (Interlocked.CompareExchange(ref _state, Taken, Queued) != Queued)
        {
            return;
        }

        try
        {
            WriteChunk();
            _write.SetResult(true);
        }
        catch (Exception exception)
        {
            // Handed to the awaiting copy, which rethrows it (a full disk becomes a 507 there).
            _write.SetException(exception);
        }
    }

    private void WriteChunk()
    {
        RandomAccess.Write(_target, _chunk.AsSpan(0, _count), _offset);
        var end = _offset + _count;
        if (_writeBehindBytes > 0 && end - _writtenBackTo >= _writeBehindBytes)
        {
            WriteBehind.Start(_target, _writtenBackTo, end - _writtenBackTo);
            _writtenBackTo = end;
        }
    }

    void IValueTaskSource.GetResult(short token) => _write.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _write.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _write.OnCompleted(continuation, state, token, flags);
}
