namespace Microservice.Kit.Tokens.Internal;

/// <summary>The form of a client id: what HTTP Basic can carry (no ':') in visible ASCII, and short.</summary>
internal static class ClientIds
{
    public const int MaxLength = 128;

    public static bool IsWellFormed(string? clientId) =>
        !string.IsNullOrEmpty(clientId) && clientId.Length <= MaxLength && clientId.All(c => c is > ' ' and <= '~' and not ':');
}
