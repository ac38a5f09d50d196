using Microservice.Kit.Data;
using Microservice.Kit.Problems;
using Microservice.Kit.Tokens;
using Microsoft.AspNetCore.Identity;

namespace Employees.Service.Users;

/// <summary><c>POST /api/v1/tokens</c> (sign in) and <c>POST /api/v1/users</c> (create a user).</summary>
internal static class UserEndpoints
{
    // Verified against when the username is unknown, so that response times do not tell which usernames exist.
    private static readonly User UnknownUser = new();
    private static readonly Lazy<string> UnknownUserHash = new(() => new PasswordHasher<User>().HashPassword(UnknownUser, Guid.NewGuid().ToString()));

    public static void MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1").WithGroupName("v1");   // in the v1 OpenAPI document only
        v1.MapTokenEndpoint("/tokens", IssueTokenAsync).WithTags("Users");   // anonymous, Cache-Control: no-store
        v1.MapPost("/users", CreateUserAsync).RequirePermission(Permissions.UsersManage).WithTags("Users");
    }

    private static async Task<TokenResponse> IssueTokenAsync(
        TokenRequestBody body, UserRepository users, IPasswordHasher<User> hasher, ITokenIssuer issuer, CancellationToken cancellationToken)
    {
        RequireField(body.Username, "username");
        RequireField(body.Password, "password");

        var user = await users.FindByUsernameAsync(body.Username!, cancellationToken);
        var hash = user?.PasswordHash ?? UnknownUserHash.Value;
        var verified = hasher.VerifyHashedPassword(user ?? UnknownUser, hash, body.Password!) != PasswordVerificationResult.Failed;
        if (user is null || !verified)
        {
            throw new KitException(StatusCodes.Status401Unauthorized, "InvalidCredentials", "Invalid credentials", "The username or password is wrong.");
        }

        var token = issuer.Issue(new TokenRequest(user.Username) { Permissions = user.Permissions });
        return new TokenResponse(token.AccessToken, token.TokenType, token.ExpiresIn);
    }

    private static async Task<IResult> CreateUserAsync(
        CreateUserBody body, UserRepository users, IPasswordHasher<User> hasher, CancellationToken cancellationToken)
    {
        RequireField(body.Username, "username");
        if (body.Password is not { Length: >= 8 and <= 256 })
        {
            throw new ValidationException("password", "must be 8 to 256 characters");
        }

        var user = new User { Username = body.Username!, Permissions = [.. (body.Permissions ?? []).Distinct(StringComparer.Ordinal)] };
        user.PasswordHash = hasher.HashPassword(user, body.Password);
        try
        {
            user = await users.AddAsync(user, cancellationToken);
        }
        catch (DuplicateKeyException e)
        {
            throw new ConflictException($"The username '{user.Username}' is taken.", "UsernameTaken", e);
        }

        // No Location: users are created here and used by signing in; there is no route to read one back.
        return Results.Created((string?)null, new UserResponse(user.Id, user.Username, user.Permissions));
    }

    private static void RequireField(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ValidationException(field, "is required");
        }
    }
}

internal sealed record TokenRequestBody(string? Username, string? Password);

internal sealed record TokenResponse(
    [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("token_type")] string TokenType,
    [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] long ExpiresIn);

internal sealed record CreateUserBody(string? Username, string? Password, string[]? Permissions);

internal sealed record UserResponse(int Id, string Username, IReadOnlyList<string> Permissions);
