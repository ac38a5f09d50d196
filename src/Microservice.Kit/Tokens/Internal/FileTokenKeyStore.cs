using Microsoft.Extensions.Logging;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// The key ring in <c>token-keys.json</c> under <see cref="TokenOptions.KeyDirectory"/>. Every change is a read, modify
/// and atomic replace under an exclusive lock file, so that two processes sharing the directory (two issuers starting
/// at once) never lose each other's keys and make one first key, not two.
/// </summary>
internal sealed class FileTokenKeyStore : ITokenKeyStore, IDisposable
{
    public const string KeyFileName = "token-keys.json";

    /// <summary>Long enough for another process to finish one small write; a lock held longer means a stuck process.</summary>
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public FileTokenKeyStore(string path, ILogger logger)
    {
        Path = path;
        _logger = logger;
    }

    public string Path { get; }

    public void Dispose() => _gate.Dispose();

    public Task<IReadOnlyList<StoredTokenKey>> LoadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<StoredTokenKey>>(KeyFile.Load(Path, _logger));
    }

    public Task<bool> TryAddAsync(StoredTokenKey key, bool onlyIfEmpty, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ChangeAsync(keys =>
        {
            if (onlyIfEmpty && keys.Count > 0)
            {
                return false;
            }

            keys.Add(key);
            return true;
        }, cancellationToken);
    }

    public Task<bool> RetireAsync(string keyId, DateTimeOffset retiredAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        return ChangeAsync(keys =>
        {
            var index = keys.FindIndex(k => k.KeyId == keyId);
            if (index < 0)
            {
                return false;
            }

            var old = keys[index];
            if (old.RetiredAt is null || retiredAt < old.RetiredAt)
            {
                keys[index] = new StoredTokenKey(old.KeyId, old.Algorithm, old.PrivateKey, old.CreatedAt, old.ActivatesAt, retiredAt);
            }

            return true;
        }, cancellationToken);
    }

    public async Task<int> RemoveRetiredAsync(DateTimeOffset retiredBefore, CancellationToken cancellationToken)
    {
        var removed = 0;
        await ChangeAsync(keys =>
        {
            removed = keys.RemoveAll(k => k.RetiredAt < retiredBefore);
            return removed > 0;
        }, cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>Applies <paramref name="change"/> to the keys on disk and writes them back if it returns true.</summary>
    private async Task<bool> ChangeAsync(Func<List<StoredTokenKey>, bool> change, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var fileLock = await AcquireFileLockAsync(cancellationToken).ConfigureAwait(false);
            var keys = KeyFile.Load(Path, _logger);
            if (!change(keys))
            {
                return false;
            }

            KeyFile.Write(Path, keys);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<FileStream> AcquireFileLockAsync(CancellationToken cancellationToken)
    {
        KeyFile.EnsureDirectory(Path);
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var deadline = Environment.TickCount64 + (long)LockTimeout.TotalMilliseconds;
        while (true)
        {
            try
            {
                // Held open exclusively (an advisory lock on Unix, a share lock on Windows) for the read-modify-write.
                return new FileStream(Path + ".lock", options);
            }
            catch (IOException) when (Environment.TickCount64 < deadline)
            {
                await Task.Delay(25, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
