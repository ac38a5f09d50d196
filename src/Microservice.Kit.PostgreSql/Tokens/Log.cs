using Microsoft.Extensions.Logging;

namespace Microservice.Kit.PostgreSql.Tokens;

/// <summary>The key ring store's log events (ids 7200-7299). Key ids only, never key material.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7200, EventName = "PostgreSqlSigningKeyStored", Level = LogLevel.Information,
        Message = "Signing key {KeyId} stored in {Database}, encrypted with encryption key {EncryptionKeyId} (operation={Operation}, status={Status})")]
    public static partial void KeyStored(ILogger logger, string keyId, string database, string encryptionKeyId, string operation = "store-key", string status = "ok");

    [LoggerMessage(EventId = 7201, EventName = "PostgreSqlSigningKeyNotFirst", Level = LogLevel.Information,
        Message = "Signing key {KeyId} not stored in {Database}: another issuer stored the first key (operation={Operation}, status={Status})")]
    public static partial void KeyNotFirst(ILogger logger, string keyId, string database, string operation = "store-key", string status = "lost-race");
}
