namespace Microservice.Kit.Clients;

/// <summary>Supplies the token a service client attaches to its calls.</summary>
/// <remarks>
/// Called once per call (not per retry), on the caller's execution context, so an implementation can read the
/// incoming request. Return <see langword="null"/> to send the call without a token. Implementations must be
/// thread-safe and should cache: the call waits for the token.
/// </remarks>
public interface ITokenSource
{
    /// <summary>Returns the token to attach, or <see langword="null"/> for none.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The raw token (without a <c>Bearer</c> prefix), or <see langword="null"/>.</returns>
    ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken);
}

/// <summary>A token and when it expires, as returned by the callback of a <see cref="CachedTokenSource"/>.</summary>
public sealed class ServiceToken
{
    /// <summary>Creates the token.</summary>
    /// <param name="value">The raw token.</param>
    /// <param name="expiresAt">When it stops being accepted.</param>
    public ServiceToken(string value, DateTimeOffset expiresAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        Value = value;
        ExpiresAt = expiresAt;
    }

    /// <summary>The raw token.</summary>
    public string Value { get; }

    /// <summary>When the token stops being accepted.</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Describes the token without revealing it, so that logging one by mistake leaks nothing.</summary>
    /// <returns>A description with the expiry only.</returns>
    public override string ToString() => "ServiceToken (expires " + ExpiresAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture) + ")";
}
