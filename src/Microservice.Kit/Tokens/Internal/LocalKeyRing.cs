using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// This service's own keys: the newest signs, older ones validate until retired. ES256 / RS256 keys are generated on
/// first use and, with a key directory, persisted (atomically, owner-only) so that they survive restarts.
/// </summary>
internal sealed class LocalKeyRing : IDisposable, IValidationKeySource, ITokenKeyManager
{
    public const string KeyFileName = "token-keys.json";

    private readonly TokenOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Lock _initLock = new();
    private volatile RingState? _state;

    private readonly string _contentRoot;

    public LocalKeyRing(IOptions<TokenOptions> options, TimeProvider timeProvider, ILogger<LocalKeyRing> logger, IHostEnvironment? environment = null)
    {
        _options = options.Value;
        _contentRoot = environment?.ContentRootPath ?? Directory.GetCurrentDirectory();
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The keys, the signing key, the validation key set and the JWKS document, replaced together.</summary>
    internal RingState State => _state ?? Initialize();

    public LocalKey SigningKey => State.Keys[^1];

    public void Dispose() => _writeGate.Dispose();

    public ValueTask<KeySet> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(State.KeySet);

    public ValueTask<KeySet> RefreshForUnknownKeyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(State.KeySet);

    public IReadOnlyList<TokenKeyInfo> GetKeys()
    {
        var keys = State.Keys;
        return [.. keys.Select(k => new TokenKeyInfo(k.KeyId, k.Algorithm, k.CreatedAt, ReferenceEquals(k, keys[^1])))];
    }

    public async Task<TokenKeyInfo> RotateAsync(CancellationToken cancellationToken = default)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = State;
            if (current.Keys[^1].Pkcs8 is null)
            {
                throw new InvalidOperationException(
                    "Keys from MicroserviceKit:Tokens:Secret or PrivateKeyPem are rotated by changing configuration, not by RotateAsync.");
            }

            var key = LocalKey.Generate(_options.Algorithm, _timeProvider.GetUtcNow());
            List<LocalKey> keys = [.. current.Keys, key];
            await PersistAsync(keys, cancellationToken).ConfigureAwait(false);
            _state = new RingState(keys, current.KeySet.Epoch);
            Log.KeyGenerated(_logger, key.KeyId, key.Algorithm);
            return new TokenKeyInfo(key.KeyId, key.Algorithm, key.CreatedAt, IsSigning: true);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task<bool> RetireAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = State;
            var index = current.Keys.ToList().FindIndex(k => k.KeyId == keyId);
            if (index < 0)
            {
                return false;
            }

            if (index == current.Keys.Count - 1)
            {
                throw new InvalidOperationException($"Key '{keyId}' signs new tokens; rotate to a new key before retiring it.");
            }

            List<LocalKey> keys = [.. current.Keys.Where((_, i) => i != index)];
            await PersistAsync(keys, cancellationToken).ConfigureAwait(false);
            _state = new RingState(keys, current.KeySet.Epoch + 1);
            Log.KeyRetired(_logger, keyId);
            return true;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private RingState Initialize()
    {
        lock (_initLock)
        {
            if (_state is { } ready)
            {
                return ready;
            }

            var now = _timeProvider.GetUtcNow();
            IReadOnlyList<LocalKey> keys;
            if (_options.Algorithm == TokenSigningAlgorithm.HS256)
            {
                keys = [LocalKey.FromSecret(_options.Secret ?? throw new InvalidOperationException("MicroserviceKit:Tokens:Secret is required for HS256."), now)];
            }
            else if (!string.IsNullOrEmpty(_options.PrivateKeyPem))
            {
                keys = [LocalKey.FromPem(_options.PrivateKeyPem, _options.Algorithm, now)];
            }
            else if (!string.IsNullOrEmpty(_options.KeyDirectory))
            {
                keys = KeyFile.Load(KeyFilePath, _logger);
                if (keys.Count == 0 || keys[^1].Algorithm != LocalKey.AlgorithmName(_options.Algorithm))
                {
                    var key = LocalKey.Generate(_options.Algorithm, now);
                    keys = [.. keys, key];
                    KeyFile.Write(KeyFilePath, keys);
                    Log.KeyGenerated(_logger, key.KeyId, key.Algorithm);
                }
            }
            else
            {
                var key = LocalKey.Generate(_options.Algorithm, now);
                keys = [key];
                Log.EphemeralKey(_logger, key.KeyId);
            }

            var state = new RingState(keys, epoch: 0);
            _state = state;
            return state;
        }
    }

    /// <summary>A relative key directory is resolved against the content root, like the rest of a service's data.</summary>
    private string KeyFilePath => Path.Combine(Path.GetFullPath(_options.KeyDirectory!, _contentRoot), KeyFileName);

    private Task PersistAsync(IReadOnlyList<LocalKey> keys, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(_options.KeyDirectory))
        {
            return Task.CompletedTask;
        }

        cancellationToken.ThrowIfCancellationRequested();
        KeyFile.Write(KeyFilePath, keys);
        return Task.CompletedTask;
    }
}

/// <summary>A consistent view of the ring: readers never see a key set and a JWKS document from different moments.</summary>
internal sealed class RingState
{
    public RingState(IReadOnlyList<LocalKey> keys, long epoch)
    {
        Keys = keys;
        KeySet = new KeySet([.. keys.Select(k => k.Trusted)], epoch);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var key in keys)
            {
                key.WritePublicJwk(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        Jwks = buffer.ToArray();
    }

    public IReadOnlyList<LocalKey> Keys { get; }

    public KeySet KeySet { get; }

    /// <summary>The JWKS document, serialized once per change rather than per request.</summary>
    public byte[] Jwks { get; }
}
