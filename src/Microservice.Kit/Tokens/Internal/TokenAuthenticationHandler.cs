using System.Text.Encodings.Web;
using Microservice.Kit.Problems;
using Microservice.Kit.Problems.Internal;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Microservice.Kit.Tokens.Internal;

internal sealed class TokenAuthenticationSchemeOptions : AuthenticationSchemeOptions;

/// <summary>
/// The kit's bearer scheme: reads the token from <c>Authorization: Bearer</c> or the configured header, validates it
/// through <see cref="ITokenValidator"/>, and answers challenges and forbids with problem documents.
/// </summary>
internal sealed class TokenAuthenticationHandler : AuthenticationHandler<TokenAuthenticationSchemeOptions>
{
    private const string BearerPrefix = "Bearer ";

    private readonly ITokenValidator _validator;
    private readonly TokenOptions _tokenOptions;
    private TokenFailureReason _failure = TokenFailureReason.Missing;

    public TokenAuthenticationHandler(
        IOptionsMonitor<TokenAuthenticationSchemeOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        ITokenValidator validator,
        IOptions<TokenOptions> tokenOptions)
        : base(options, logger, encoder)
    {
        _validator = validator;
        _tokenOptions = tokenOptions.Value;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!TryReadToken(Request.Headers, _tokenOptions.TokenHeader, out var token))
        {
            _failure = TokenFailureReason.Missing;
            return AuthenticateResult.NoResult();
        }

        // A token seen before is answered from the cache while it is still inside the header; only a new one is copied out.
        var outcome = _validator is TokenValidator kit && kit.TryGetCached(token.Span, out var cached, out var source, out var epoch)
            && await kit.IsCurrentAsync(source, epoch, Context.RequestAborted).ConfigureAwait(false)
            ? cached
            : await _validator.ValidateAsync(token.IsEmpty ? null : token.ToString(), Context.RequestAborted).ConfigureAwait(false);
        if (!outcome.IsValid)
        {
            _failure = outcome.FailureReason == TokenFailureReason.Missing ? TokenFailureReason.Malformed : outcome.FailureReason;
            return AuthenticateResult.Fail("The access token is not valid: " + _failure);
        }

        _failure = TokenFailureReason.None;
        return AuthenticateResult.Success(new AuthenticationTicket(outcome.CreatePrincipal(), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        // RFC 6750 §3.1: a request that carried no credentials gets the bare challenge, with no error code, so that a
        // client can tell "sign in" from "your token is bad, get a new one".
        Response.Headers.WWWAuthenticate = _failure == TokenFailureReason.Missing ? "Bearer" : "Bearer error=\"invalid_token\"";
        var problem = _failure == TokenFailureReason.Missing
            ? ProblemFactory.Create(401, ProblemCodes.Unauthorized, "Unauthorized",
                "Send an access token as 'Authorization: Bearer <token>'" + (_tokenOptions.TokenHeader is { } header ? $" or in the '{header}' header." : "."))
            : ProblemFactory.Create(401, TokenDefaults.InvalidTokenCode, "Invalid token", Describe(_failure));
        await ProblemWriter.WriteAsync(Context, Context.RequestServices.GetRequiredService<IProblemDetailsService>(), problem).ConfigureAwait(false);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var problem = ProblemFactory.Create(403, ProblemCodes.Forbidden, "Forbidden", "The access token lacks a permission this endpoint requires.");
        await ProblemWriter.WriteAsync(Context, Context.RequestServices.GetRequiredService<IProblemDetailsService>(), problem).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a token was sent, and where it is: <c>Authorization: Bearer</c> first, then the custom header (bare or with
    /// <c>Bearer</c>). Sent but empty (<c>Bearer</c> alone, two <c>Authorization</c> headers) is an empty token, which
    /// fails validation as malformed.
    /// </summary>
    internal static bool TryReadToken(IHeaderDictionary headers, string? customHeader, out ReadOnlyMemory<char> token)
    {
        token = ReadOnlyMemory<char>.Empty;
        var authorization = headers.Authorization;
        if (authorization.Count == 1)
        {
            var value = authorization[0];
            if (value is not null && value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
            {
                token = value.AsMemory(BearerPrefix.Length).Trim();
                return true;
            }

            if (string.Equals(value?.Trim(), "Bearer", StringComparison.OrdinalIgnoreCase))
            {
                return true; // "Bearer" with nothing after it: a token was meant to be sent, and it is not valid.
            }
        }
        else if (authorization.Count > 1)
        {
            // Two Authorization headers are ambiguous: refuse rather than guess which one counts.
            return true;
        }

        if (customHeader is not null && headers.TryGetValue(customHeader, out var custom) && custom.Count > 0)
        {
            var value = custom.Count == 1 ? custom[0].AsMemory().Trim() : ReadOnlyMemory<char>.Empty;
            token = value.Span.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? value[BearerPrefix.Length..].Trim() : value;
            return true;
        }

        return false;
    }

    private static string Describe(TokenFailureReason reason) => reason switch
    {
        TokenFailureReason.Expired => "The access token has expired.",
        TokenFailureReason.NotYetValid => "The access token is not valid yet.",
        TokenFailureReason.TooLarge => "The access token is larger than this service accepts.",
        TokenFailureReason.WrongIssuer => "The access token was issued by an issuer this service does not trust.",
        TokenFailureReason.WrongAudience => "The access token is meant for another audience.",
        TokenFailureReason.UnknownKey => "The access token was signed with a key this service does not know.",
        _ => "The access token is not valid.",
    };
}
