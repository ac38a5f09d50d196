namespace Microservice.Kit.Problems;

/// <summary>The stable <c>code</c> values the kit itself sends. Clients may switch on them.</summary>
public static class ProblemCodes
{
    /// <summary>400: the request is malformed in a way no more specific code describes.</summary>
    public const string BadRequest = "BadRequest";

    /// <summary>400: the request body is not valid JSON or does not fit the expected shape.</summary>
    public const string MalformedJson = "MalformedJson";

    /// <summary>400: one or more fields failed validation; the <c>errors</c> member lists them.</summary>
    public const string ValidationFailed = "ValidationFailed";

    /// <summary>401: no valid credentials were sent.</summary>
    public const string Unauthorized = "Unauthorized";

    /// <summary>401: a token endpoint's client-credentials request named an unknown client or a wrong secret (RFC 6749 §5.2 <c>invalid_client</c>).</summary>
    public const string InvalidClient = "InvalidClient";

    /// <summary>400: a client-credentials request asked for a permission the client may not hold (RFC 6749 §5.2 <c>invalid_scope</c>).</summary>
    public const string InvalidScope = "InvalidScope";

    /// <summary>400: a token endpoint got a form-encoded request for a grant other than <c>client_credentials</c> (RFC 6749 §5.2 <c>unsupported_grant_type</c>).</summary>
    public const string UnsupportedGrantType = "UnsupportedGrantType";

    /// <summary>403: the caller is authenticated but lacks a permission.</summary>
    public const string Forbidden = "Forbidden";

    /// <summary>403: the caller tried to grant permissions it does not hold itself; the <c>notHeld</c> member lists them.</summary>
    public const string PermissionNotHeld = "PermissionNotHeld";

    /// <summary>404: the resource or route does not exist.</summary>
    public const string NotFound = "NotFound";

    /// <summary>405: the route exists but not for this method.</summary>
    public const string MethodNotAllowed = "MethodNotAllowed";

    /// <summary>408: the client took too long to send the request.</summary>
    public const string RequestTimeout = "RequestTimeout";

    /// <summary>409: the request conflicts with the current state.</summary>
    public const string Conflict = "Conflict";

    /// <summary>412: a precondition such as <c>If-Match</c> failed.</summary>
    public const string PreconditionFailed = "PreconditionFailed";

    /// <summary>413: the request body is too large.</summary>
    public const string PayloadTooLarge = "PayloadTooLarge";

    /// <summary>415: the content type is not accepted.</summary>
    public const string UnsupportedMediaType = "UnsupportedMediaType";

    /// <summary>431: the request headers are too large.</summary>
    public const string HeadersTooLarge = "HeadersTooLarge";

    /// <summary>500: an unexpected error; the details are in the service's log, never in the response.</summary>
    public const string InternalError = "InternalError";

    /// <summary>503: a service this one depends on is unavailable.</summary>
    public const string DependencyUnavailable = "DependencyUnavailable";

    /// <summary>
    /// 502: a service this one depends on answered, but with something this one cannot use: a body over the client's
    /// buffer limit, in a charset it cannot decode, not JSON, or JSON that does not fit the expected type.
    /// </summary>
    public const string DependencyInvalidResponse = "DependencyInvalidResponse";

    /// <summary>503: the service cannot take the request now.</summary>
    public const string ServiceUnavailable = "ServiceUnavailable";

    /// <summary>402: payment is required.</summary>
    public const string PaymentRequired = "PaymentRequired";

    /// <summary>406: no representation matches the request's <c>Accept</c> headers.</summary>
    public const string NotAcceptable = "NotAcceptable";

    /// <summary>407: a proxy needs the client to authenticate.</summary>
    public const string ProxyAuthenticationRequired = "ProxyAuthenticationRequired";

    /// <summary>410: the resource existed and was removed for good.</summary>
    public const string Gone = "Gone";

    /// <summary>411: the request needs a <c>Content-Length</c>.</summary>
    public const string LengthRequired = "LengthRequired";

    /// <summary>414: the request URI is too long.</summary>
    public const string UriTooLong = "UriTooLong";

    /// <summary>416: the <c>Range</c> lies outside the resource.</summary>
    public const string RangeNotSatisfiable = "RangeNotSatisfiable";

    /// <summary>417: the <c>Expect</c> header cannot be met.</summary>
    public const string ExpectationFailed = "ExpectationFailed";

    /// <summary>421: the request reached a server that cannot answer for its authority.</summary>
    public const string MisdirectedRequest = "MisdirectedRequest";

    /// <summary>422: the body is well-formed but cannot be processed.</summary>
    public const string UnprocessableContent = "UnprocessableContent";

    /// <summary>423: the resource is locked.</summary>
    public const string Locked = "Locked";

    /// <summary>424: the request depended on another that failed.</summary>
    public const string FailedDependency = "FailedDependency";

    /// <summary>425: the server will not process a request that might be replayed.</summary>
    public const string TooEarly = "TooEarly";

    /// <summary>426: the client must switch to another protocol.</summary>
    public const string UpgradeRequired = "UpgradeRequired";

    /// <summary>428: the request must be conditional (<c>If-Match</c>).</summary>
    public const string PreconditionRequired = "PreconditionRequired";

    /// <summary>429: too many requests (sign-in attempts, for example); <c>Retry-After</c> says when to try again.</summary>
    public const string TooManyRequests = "TooManyRequests";

    /// <summary>451: the resource cannot be served for legal reasons.</summary>
    public const string UnavailableForLegalReasons = "UnavailableForLegalReasons";

    /// <summary>501: the server does not support what the request needs.</summary>
    public const string NotImplemented = "NotImplemented";

    /// <summary>502: a gateway or proxy got an invalid answer from upstream.</summary>
    public const string BadGateway = "BadGateway";

    /// <summary>504: a gateway or proxy got no answer from upstream in time.</summary>
    public const string GatewayTimeout = "GatewayTimeout";

    /// <summary>505: the HTTP version of the request is not supported.</summary>
    public const string HttpVersionNotSupported = "HttpVersionNotSupported";

    /// <summary>506: the server's content negotiation is misconfigured.</summary>
    public const string VariantAlsoNegotiates = "VariantAlsoNegotiates";

    /// <summary>507: the storage is full, or a configured quota or free-space reserve would be exceeded; nothing was kept.</summary>
    public const string InsufficientStorage = "InsufficientStorage";

    /// <summary>508: the server met an infinite loop while processing the request.</summary>
    public const string LoopDetected = "LoopDetected";

    /// <summary>510: the request needs an extension the server does not have.</summary>
    public const string NotExtended = "NotExtended";

    /// <summary>511: the client must authenticate to gain network access.</summary>
    public const string NetworkAuthenticationRequired = "NetworkAuthenticationRequired";

    /// <summary>4xx: a client error status that has no code of its own above (an unregistered status such as 418 or 499).</summary>
    public const string ClientError = "ClientError";

    /// <summary>5xx: a server error status that has no code of its own above (an unregistered status such as 599).</summary>
    public const string ServerError = "ServerError";

    /// <summary>The prefix of the <c>type</c> member of every problem the kit writes.</summary>
    public const string TypePrefix = "urn:microservice-kit:problem:";

    /// <summary>Returns the <c>type</c> URI for a code: <c>FileExists</c> becomes <c>urn:microservice-kit:problem:file-exists</c>.</summary>
    /// <param name="code">The machine-readable code.</param>
    /// <returns>The problem type URI.</returns>
    public static string TypeFor(string code)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        var builder = new System.Text.StringBuilder(TypePrefix.Length + code.Length + 4);
        builder.Append(TypePrefix);
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && !char.IsUpper(code[i - 1]))
                {
                    builder.Append('-');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Returns the code the kit sends for a bare status code (a response with a status and no body, such as
    /// <c>Results.StatusCode(429)</c>): every registered 4xx and 5xx status has its own, any other one in those
    /// ranges is <see cref="ClientError"/> or <see cref="ServerError"/>.
    /// </summary>
    /// <param name="statusCode">An HTTP status code.</param>
    /// <returns>The code, or <see langword="null"/> for a status code outside 400-599.</returns>
    public static string? ForStatus(int statusCode) => statusCode switch
    {
        400 => BadRequest,
        401 => Unauthorized,
        402 => PaymentRequired,
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        406 => NotAcceptable,
        407 => ProxyAuthenticationRequired,
        408 => RequestTimeout,
        409 => Conflict,
        410 => Gone,
        411 => LengthRequired,
        412 => PreconditionFailed,
        413 => PayloadTooLarge,
        414 => UriTooLong,
        415 => UnsupportedMediaType,
        416 => RangeNotSatisfiable,
        417 => ExpectationFailed,
        421 => MisdirectedRequest,
        422 => UnprocessableContent,
        423 => Locked,
        424 => FailedDependency,
        425 => TooEarly,
        426 => UpgradeRequired,
        428 => PreconditionRequired,
        429 => TooManyRequests,
        431 => HeadersTooLarge,
        451 => UnavailableForLegalReasons,
        500 => InternalError,
        501 => NotImplemented,
        502 => BadGateway,
        503 => ServiceUnavailable,
        504 => GatewayTimeout,
        505 => HttpVersionNotSupported,
        506 => VariantAlsoNegotiates,
        507 => InsufficientStorage,
        508 => LoopDetected,
        510 => NotExtended,
        511 => NetworkAuthenticationRequired,
        >= 400 and <= 499 => ClientError,
        >= 500 and <= 599 => ServerError,
        _ => null,
    };
}
