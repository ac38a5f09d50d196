using System.Security.Claims;
using Microservice.Kit.Data;
using Microservice.Kit.Problems;
using Microservice.Kit.Tokens;
using Microsoft.AspNetCore.Identity;

namespace Employees.Service.Users;

/// <summary><c>POST /api/v1/tokens</c> (sign in) and <c>POST /api/v1/users</c> (create a user).</summary>
internal static class UserEndpoints
{
    public static void MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1").WithGroupName("v1");   // in the v1 OpenAPI document only
        v1.MapTokenEndpoint("/tokens", IssueTokenAsync).RequireSignInThrottling().WithTags("Users")   // anonymous, Cache-Control: no-store
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        v1.MapPost("/users", CreateUserAsync).RequirePermission(Permissions.UsersManage).WithTags("Users")
            .Produces<UserResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<TokenResponse> IssueTokenAsync(
        TokenRequestBody body, HttpContext httpContext, IRepository<User, int> users, IPasswordHasher<User> hasher, DecoyPasswordHash decoy,
        ISignInThrottle throttle, ITokenIssuer issuer, CancellationToken cancellationToken)
    {
        RequireField(body.Username, "username");
        RequireField(body.Password, "password");
        throttle.EnsureAllowed(httpContext, body.Username!, body.Password!);   // 400 for an over-long password, 429 while locked out

        var user = await users.FindByUsernameAsync(body.Username!, cancellationToken);
        var hash = user?.PasswordHash ?? decoy.Hash;
        var result = hasher.VerifyHashedPassword(user ?? DecoyPasswordHash.User, hash, body.Password!);
        if (user is null || result == PasswordVerificationResult.Failed)
        {
            throttle.RecordFailure(httpContext, body.Username!);
            throw new KitException(StatusCodes.Status401Unauthorized, "InvalidCredentials", "Invalid credentials", "The username or password is wrong.");
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            // Stored with fewer iterations than configured now: the clear password is at hand only here, so upgrade it.
            user.PasswordHash = hasher.HashPassword(user, body.Password!);
            try
            {
                user = await users.UpdateAsync(user, cancellationToken: cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                // A concurrent sign-in (or an update) stored the user first. The password was verified, so this sign-in
                // stands; the next one rehashes if that write did not.
            }
        }

        throttle.RecordSuccess(httpContext, user.Username);
        var token = issuer.Issue(new TokenRequest(user.Username) { Permissions = user.Permissions });
        return new TokenResponse(token.AccessToken, token.TokenType, token.ExpiresIn);
    }

    private static async Task<IResult> CreateUserAsync(
        CreateUserBody body, ClaimsPrincipal caller, IRepository<User, int> users, IPasswordHasher<User> hasher, CancellationToken cancellationToken)
    {
        RequireField(body.Username, "username");
        if (body.Password is not { Length: >= 8 and <= 256 })
        {
            throw new ValidationException("password", "must be 8 to 256 characters");
        }

        string[] permissions = [.. (body.Permissions ?? []).Distinct(StringComparer.Ordinal)];
        foreach (var permission in permissions)
        {
            // Before the grant check, so that a name no service knows is the client's typo (400), not a missing permission (403).
            if (permission is null || !Permissions.All.Contains(permission))
            {
                throw new ValidationException("permissions", $"'{permission}' is not a permission of these services");
            }
        }

        // users.manage alone must not mint a user with more than its holder has: a grant is bounded by the caller's own token.
        caller.EnsureMayGrant(permissions, Permissions.UsersManage);

        var user = new User { Username = body.Username!, Permissions = [.. permissions] };
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

// Defaults make a member optional in the OpenAPI schema, as it is to the handler.
internal sealed record CreateUserBody(string? Username, string? Password, string[]? Permissions = null);

internal sealed record UserResponse(int Id, string Username, IReadOnlyList<string> Permissions);
