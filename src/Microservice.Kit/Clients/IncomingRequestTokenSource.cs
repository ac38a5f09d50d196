using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Microservice.Kit.Clients;

/// <summary>
/// Passes on the token of the request being handled: <c>Authorization: Bearer &lt;token&gt;</c>, or else the raw
/// value of a fallback header (none by default). Outside a request it returns no token.
/// </summary>
public sealed class IncomingRequestTokenSource : ITokenSource
{
    private const string BearerPrefix = "Bearer ";
    private readonly IHttpContextAccessor _accessor;
    private readonly string? _fallbackHeader;

    /// <summary>Creates the source.</summary>
    /// <param name="accessor">Gives the current request.</param>
    /// <param name="fallbackHeader">
    /// The header read when there is no bearer token, for example <c>X-Auth-Header</c>; <see langword="null"/> for none.
    /// Pass the header the service's own validation reads (<c>TokenOptions.TokenHeader</c>), so that only a token the
    /// service would have accepted is passed on.
    /// </param>
    public IncomingRequestTokenSource(IHttpContextAccessor accessor, string? fallbackHeader = null)
    {
        ArgumentNullException.ThrowIfNull(accessor);
        _accessor = accessor;
        _fallbackHeader = string.IsNullOrEmpty(fallbackHeader) ? null : fallbackHeader;
    }

    /// <inheritdoc />
    public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => new(Read());

    private string? Read()
    {
        var headers = _accessor.HttpContext?.Request.Headers;
        if (headers is null)
        {
            return null;
        }

        var authorization = headers[HeaderNames.Authorization].ToString();
        if (authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization.AsSpan(BearerPrefix.Length).Trim();
            return token.IsEmpty ? null : token.ToString();
        }

        if (_fallbackHeader is not null)
        {
            var raw = headers[_fallbackHeader].ToString().Trim();
            if (raw.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
            {
                raw = raw[BearerPrefix.Length..].Trim();
            }

            return raw.Length == 0 ? null : raw;
        }

        return null;
    }
}
