namespace Microservice.Kit.Tokens;

/// <summary>Why a token was rejected: the category logged and counted, never the token itself.</summary>
public enum TokenFailureReason
{
    /// <summary>The token is not rejected.</summary>
    None = 0,

    /// <summary>No token was sent.</summary>
    Missing,

    /// <summary>The token is larger than <see cref="TokenOptions.MaxTokenSize"/>.</summary>
    TooLarge,

    /// <summary>The token is not a well-formed JWS compact serialization.</summary>
    Malformed,

    /// <summary>The token's <c>exp</c> has passed (beyond the clock skew).</summary>
    Expired,

    /// <summary>The token's <c>nbf</c> is in the future (beyond the clock skew).</summary>
    NotYetValid,

    /// <summary>The token has no <c>exp</c>.</summary>
    NoExpiration,

    /// <summary>The signature does not verify, or the token is unsigned (whatever its claims say: they are judged only once it verifies).</summary>
    BadSignature,

    /// <summary>The <c>alg</c> is not the one bound to the key.</summary>
    WrongAlgorithm,

    /// <summary>No trusted key has the token's <c>kid</c> (unknown, retired, or malformed).</summary>
    UnknownKey,

    /// <summary>The <c>iss</c> is not the configured issuer.</summary>
    WrongIssuer,

    /// <summary>The <c>aud</c> is not the configured audience.</summary>
    WrongAudience,

    /// <summary>The <c>typ</c> header is not <c>at+jwt</c> (or <c>application/at+jwt</c>, in any letter case).</summary>
    WrongType,

    /// <summary>The header carries a key or a key location (<c>jwk</c>, <c>jku</c>, <c>x5u</c>, <c>x5c</c>), which is never trusted.</summary>
    ForbiddenHeader,

    /// <summary>The token is invalid for another reason.</summary>
    Invalid,

    /// <summary>
    /// The header's <c>crit</c> names an extension the kit does not implement (every extension, such as <c>b64</c>), so the
    /// token must not be accepted (RFC 7515 §4.1.11).
    /// </summary>
    UnsupportedCriticalHeader,
}
