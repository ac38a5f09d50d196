using System.Buffers.Text;
using AuthenticationHeaderValue = System.Net.Http.Headers.AuthenticationHeaderValue;
using System.Text;
using Microservice.Kit.Problems;
using Microservice.Kit.Problems.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// The client-credentials grant (RFC 6749 §4.4) on a token endpoint: form-encoded requests, the client authenticated by
/// HTTP Basic or by <c>client_id</c> / <c>client_secret</c> form fields (never both, §2.3), a secret checked against its
/// PBKDF2 hash, <c>scope</c> narrowing the client's registered permissions. Errors are the kit's problem documents that
/// also carry RFC 6749 §5.2's <c>error</c> and <c>error_description</c>, so that a kit client and an OAuth library both read them.
/// </summary>
internal sealed class ClientCredentialsGrant(
    IOptions<TokenOptions> options, ITokenIssuer issuer, ISignInThrottle throttle, IProblemDetailsService problems, ILogger<ClientCredentialsGrant> logger)
{
    public const string GrantType = "client_credentials";

    /// <summary>A form of a few short fields; anything larger is not a token request.</summary>
    private static readonly FormOptions FormLimits = new() { ValueCountLimit = 16, KeyLengthLimit = 64, ValueLengthLimit = 4096, BufferBody = false };

    /// <summary>Verified for an unknown client id, so that its answer takes as long as a wrong secret's and does not reveal which ids exist.</summary>
    private static readonly Lazy<string> DecoyHash = new(() => ClientSecretHasher.Hash(Convert.ToBase64String(Guid.NewGuid().ToByteArray())));

    private readonly TokenOptions _options = options.Value;

    /// <summary>Whether the request is an OAuth token request (form-encoded), which the kit answers instead of the endpoint's handler.</summary>
    public static bool Handles(HttpRequest request) =>
        HttpMethods.IsPost(request.Method)
        && MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
        && type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    public async Task HandleAsync(HttpContext context)
    {
        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(FormLimits, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or BadHttpRequestException)
        {
            await ErrorAsync(context, 400, "invalid_request", ProblemCodes.BadRequest, "Bad token request", "The form is malformed or too large.").ConfigureAwait(false);
            return;
        }

        // RFC 6749 §3.2: parameters sent without a value are treated as omitted; none may be repeated.
        if (form.Any(field => field.Value.Count > 1))
        {
            await ErrorAsync(context, 400, "invalid_request", ProblemCodes.BadRequest, "Bad token request", "A parameter is repeated.").ConfigureAwait(false);
            return;
        }

        var grantType = form["grant_type"].ToString();
        if (string.IsNullOrEmpty(grantType))
        {
            await ErrorAsync(context, 400, "invalid_request", ProblemCodes.BadRequest, "Bad token request", "grant_type is required.").ConfigureAwait(false);
            return;
        }

        if (grantType != GrantType)
        {
            await ErrorAsync(context, 400, "unsupported_grant_type", ProblemCodes.UnsupportedGrantType, "Unsupported grant type",
                "This endpoint grants client_credentials only in the form encoding; users sign in with a JSON body.").ConfigureAwait(false);
            return;
        }

        var credentials = ReadCredentials(context.Request, form);
        if (credentials.Error is not null)
        {
            await ErrorAsync(context, credentials.Status, credentials.Error, credentials.Code!, credentials.Title!, credentials.Detail!, basicChallenge: credentials.Status == 401).ConfigureAwait(false);
            return;
        }

        var (clientId, secret) = (credentials.ClientId!, credentials.Secret!);
        // Clients share the sign-in throttle with users, in their own name space: a client id cannot lock out a user name.
        var throttleName = "client:" + clientId;
        try
        {
            throttle.EnsureAllowed(context, throttleName, secret);
        }
        catch (ValidationException)
        {
            await ErrorAsync(context, 400, "invalid_request", ProblemCodes.BadRequest, "Bad token request", "client_secret is too long.").ConfigureAwait(false);
            return;
        }

        _options.Clients.TryGetValue(clientId, out var client);
        var matches = ClientSecretHasher.Verify(client?.SecretHash ?? DecoyHash.Value, secret);
        if (client is null || !matches)
        {
            throttle.RecordFailure(context, throttleName);
            await ErrorAsync(context, 401, "invalid_client", ProblemCodes.InvalidClient, "Invalid client", "The client id or secret is wrong.", basicChallenge: true).ConfigureAwait(false);
            return;
        }

        var allowed = client.Permissions;
        var scope = form["scope"].ToString();
        string[] granted;
        if (string.IsNullOrEmpty(scope))
        {
            granted = [.. allowed.Distinct(StringComparer.Ordinal)];
        }
        else
        {
            var requested = scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToArray();
            var notAllowed = requested.Where(p => !allowed.Contains(p, StringComparer.Ordinal)).ToArray();
            if (notAllowed.Length > 0)
            {
                await ErrorAsync(context, 400, "invalid_scope", ProblemCodes.InvalidScope, "Invalid scope",
                    $"The client may not hold: {string.Join(' ', notAllowed)}.").ConfigureAwait(false);
                return;
            }

            granted = requested;
        }

        throttle.RecordSuccess(context, throttleName);
        var token = issuer.Issue(new TokenRequest(clientId)
        {
            Permissions = granted,
            // RFC 9068 §2.2: an access token names the client it was issued to.
            Claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["client_id"] = clientId },
        });
        Log.ClientTokenIssued(logger, clientId, token.TokenId);
        NoStore(context.Response);
        await context.Response.WriteAsJsonAsync(
            new ClientCredentialsResponse(token.AccessToken, token.TokenType, token.ExpiresIn, granted.Length == 0 ? null : string.Join(' ', granted)),
            TokenJsonContext.Default.ClientCredentialsResponse,
            contentType: "application/json",
            context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Sets what RFC 6749 §5.1 requires of every token response, success or error.</summary>
    public static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }

    private static Credentials ReadCredentials(HttpRequest request, IFormCollection form)
    {
        var formId = form["client_id"].ToString();
        var formSecret = form["client_secret"].ToString();
        // Only Basic authenticates a client here; a bearer token a caller happens to send is not a client credential.
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) || header.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (formSecret.Length > 0)
            {
                return Credentials.Fail(400, "invalid_request", ProblemCodes.BadRequest, "Bad token request", "Authenticate the client in one way only: HTTP Basic or client_secret, not both.");
            }

            if (!AuthenticationHeaderValue.TryParse(header, out var value) || !TryDecodeBasic(value.Parameter, out var id, out var secret))
            {
                return Credentials.Fail(401, "invalid_client", ProblemCodes.InvalidClient, "Invalid client", "The Authorization header is not HTTP Basic with a client id and secret.");
            }

            if (formId.Length > 0 && formId != id)
            {
                return Credentials.Fail(400, "invalid_request", ProblemCodes.BadRequest, "Bad token request", "client_id differs from the client authenticated by HTTP Basic.");
            }

            return Valid(id, secret);
        }

        if (formId.Length == 0 || formSecret.Length == 0)
        {
            return Credentials.Fail(401, "invalid_client", ProblemCodes.InvalidClient, "Invalid client", "Authenticate the client: HTTP Basic (client id and secret), or client_id and client_secret.");
        }

        return Valid(formId, formSecret);

        static Credentials Valid(string id, string secret) => ClientIds.IsWellFormed(id)
            ? new Credentials(id, secret, 0, null, null, null, null)
            : Credentials.Fail(401, "invalid_client", ProblemCodes.InvalidClient, "Invalid client", "The client id or secret is wrong.");
    }

    /// <summary>RFC 6749 §2.3.1: Basic carries the form-urlencoded client id and secret, joined by ':'.</summary>
    private static bool TryDecodeBasic(string? parameter, out string clientId, out string secret)
    {
        clientId = secret = "";
        if (string.IsNullOrEmpty(parameter) || parameter.Length > 2048)
        {
            return false;
        }

        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(parameter.Length)];
        if (!Convert.TryFromBase64String(parameter, bytes, out var length))
        {
            return false;
        }

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        clientId = Uri.UnescapeDataString(text[..colon].Replace('+', ' '));
        secret = Uri.UnescapeDataString(text[(colon + 1)..].Replace('+', ' '));
        return secret.Length > 0;
    }

    private async Task ErrorAsync(HttpContext context, int status, string error, string code, string title, string detail, bool basicChallenge = false)
    {
        Log.ClientTokenRefused(logger, error, ClientAddress.Of(context));
        var response = context.Response;
        NoStore(response);
        if (basicChallenge)
        {
            // RFC 6749 §5.2: invalid_client answers 401 with the scheme the client should authenticate with.
            response.Headers.WWWAuthenticate = "Basic realm=\"token\", charset=\"UTF-8\"";
        }

        var problem = ProblemFactory.Create(status, code, title, detail);
        problem.Extensions["error"] = error;
        problem.Extensions["error_description"] = detail;
        await ProblemWriter.WriteAsync(context, problems, problem).ConfigureAwait(false);
    }

    private readonly record struct Credentials(string? ClientId, string? Secret, int Status, string? Error, string? Code, string? Title, string? Detail)
    {
        public static Credentials Fail(int status, string error, string code, string title, string detail) => new(null, null, status, error, code, title, detail);
    }
}

/// <summary>The token response of RFC 6749 §5.1.</summary>
internal sealed record ClientCredentialsResponse(
    [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("token_type")] string TokenType,
    [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] long ExpiresIn,
    [property: System.Text.Json.Serialization.JsonPropertyName("scope"), System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Scope);

[System.Text.Json.Serialization.JsonSerializable(typeof(ClientCredentialsResponse))]
internal sealed partial class TokenJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
