using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>One of this service's keys: the private half signs, the public half validates and is published in JWKS.</summary>
internal sealed class LocalKey
{
    private LocalKey(string keyId, string algorithm, DateTimeOffset createdAt, SecurityKey signingKey, SecurityKey validationKey, byte[]? pkcs8)
    {
        KeyId = keyId;
        Algorithm = algorithm;
        CreatedAt = createdAt;
        signingKey.KeyId = keyId;
        validationKey.KeyId = keyId;
        Credentials = new SigningCredentials(signingKey, algorithm);
        Trusted = new TrustedKey(keyId, algorithm, validationKey);
        Pkcs8 = pkcs8;
    }

    public string KeyId { get; }

    public string Algorithm { get; }

    public DateTimeOffset CreatedAt { get; }

    public SigningCredentials Credentials { get; }

    public TrustedKey Trusted { get; }

    /// <summary>The private key to persist; <see langword="null"/> for keys that come from configuration.</summary>
    public byte[]? Pkcs8 { get; }

    public static string AlgorithmName(TokenSigningAlgorithm algorithm) => algorithm switch
    {
        TokenSigningAlgorithm.HS256 => SecurityAlgorithms.HmacSha256,
        TokenSigningAlgorithm.RS256 => SecurityAlgorithms.RsaSha256,
        _ => SecurityAlgorithms.EcdsaSha256,
    };

    public static LocalKey FromSecret(string secret, DateTimeOffset now)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        var key = new SymmetricSecurityKey(bytes);
        return new LocalKey("hs-" + KeyIds.FromMaterial(bytes), SecurityAlgorithms.HmacSha256, now, key, new SymmetricSecurityKey(bytes), pkcs8: null);
    }

    public static LocalKey Generate(TokenSigningAlgorithm algorithm, DateTimeOffset now)
    {
        if (algorithm == TokenSigningAlgorithm.RS256)
        {
            using var rsa = RSA.Create(2048);
            return FromPkcs8(KeyIds.NewRandom(), SecurityAlgorithms.RsaSha256, now, rsa.ExportPkcs8PrivateKey(), persist: true);
        }

        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return FromPkcs8(KeyIds.NewRandom(), SecurityAlgorithms.EcdsaSha256, now, ecdsa.ExportPkcs8PrivateKey(), persist: true);
    }

    public static LocalKey FromPem(string pem, TokenSigningAlgorithm algorithm, DateTimeOffset now)
    {
        byte[] pkcs8;
        if (algorithm == TokenSigningAlgorithm.RS256)
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            pkcs8 = rsa.ExportPkcs8PrivateKey();
        }
        else
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(pem);
            if (ecdsa.KeySize != 256)
            {
                throw new InvalidOperationException("MicroserviceKit:Tokens:PrivateKeyPem must be a P-256 key for ES256.");
            }

            pkcs8 = ecdsa.ExportPkcs8PrivateKey();
        }

        var alg = algorithm == TokenSigningAlgorithm.RS256 ? SecurityAlgorithms.RsaSha256 : SecurityAlgorithms.EcdsaSha256;
        var key = FromPkcs8("pem-placeholder", alg, now, pkcs8, persist: false);
        // The kid of a configured key is derived from its public half, so that every replica agrees on it.
        return FromPkcs8(KeyIds.FromMaterial(key.PublicKeyBytes()), alg, now, pkcs8, persist: false);
    }

    public static LocalKey FromPkcs8(string keyId, string algorithm, DateTimeOffset createdAt, byte[] pkcs8, bool persist)
    {
        if (algorithm == SecurityAlgorithms.RsaSha256)
        {
            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
            var publicRsa = RSA.Create(rsa.ExportParameters(includePrivateParameters: false));
            return new LocalKey(keyId, algorithm, createdAt, new RsaSecurityKey(rsa), new RsaSecurityKey(publicRsa), persist ? pkcs8 : null);
        }

        if (algorithm == SecurityAlgorithms.EcdsaSha256)
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
            var publicEcdsa = ECDsa.Create(ecdsa.ExportParameters(includePrivateParameters: false));
            return new LocalKey(keyId, algorithm, createdAt, new ECDsaSecurityKey(ecdsa), new ECDsaSecurityKey(publicEcdsa), persist ? pkcs8 : null);
        }

        throw new InvalidOperationException($"Unsupported key algorithm '{algorithm}'.");
    }

    /// <summary>A key read from a store.</summary>
    public static LocalKey FromStored(StoredTokenKey record) =>
        FromPkcs8(record.KeyId, record.Algorithm, record.CreatedAt, record.PrivateKey.ToArray(), persist: true);

    /// <summary>Writes the public JWK (RFC 7517); never a private parameter. HS256 keys are never published.</summary>
    public void WritePublicJwk(Utf8JsonWriter writer)
    {
        switch (Trusted.Key)
        {
            case ECDsaSecurityKey ec:
                var ecParameters = ec.ECDsa.ExportParameters(includePrivateParameters: false);
                writer.WriteStartObject();
                writer.WriteString("kty", "EC");
                writer.WriteString("use", "sig");
                writer.WriteString("alg", Algorithm);
                writer.WriteString("kid", KeyId);
                writer.WriteString("crv", "P-256");
                writer.WriteString("x", Base64Url.EncodeToString(ecParameters.Q.X));
                writer.WriteString("y", Base64Url.EncodeToString(ecParameters.Q.Y));
                writer.WriteEndObject();
                break;
            case RsaSecurityKey rsa:
                var rsaParameters = rsa.Rsa.ExportParameters(includePrivateParameters: false);
                writer.WriteStartObject();
                writer.WriteString("kty", "RSA");
                writer.WriteString("use", "sig");
                writer.WriteString("alg", Algorithm);
                writer.WriteString("kid", KeyId);
                writer.WriteString("n", Base64Url.EncodeToString(rsaParameters.Modulus));
                writer.WriteString("e", Base64Url.EncodeToString(rsaParameters.Exponent));
                writer.WriteEndObject();
                break;
            default:
                break;
        }
    }

    private byte[] PublicKeyBytes() => Trusted.Key switch
    {
        ECDsaSecurityKey ec => ec.ECDsa.ExportSubjectPublicKeyInfo(),
        RsaSecurityKey rsa => rsa.Rsa.ExportSubjectPublicKeyInfo(),
        _ => [],
    };
}
