using Microservice.Kit.Tokens;

namespace Employees.Service.Keys;

/// <summary>
/// <c>GET /api/v1/keys</c> (the signing keys, public facts only) and <c>POST /api/v1/keys</c> (rotate: a new signing key).
/// An operator rotates on one replica; with the key ring in PostgreSQL every replica publishes the new key and signs with it
/// once it is active (docs/scale.md).
/// </summary>
internal static class KeyEndpoints
{
    public static void MapKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1/keys").WithGroupName("v1").WithTags("Keys").RequirePermission(Permissions.KeysManage);
        v1.MapGet("/", (ITokenKeyManager keys) => TypedResults.Ok(keys.GetKeys()));
        v1.MapPost("/", RotateAsync).Produces<TokenKeyInfo>(StatusCodes.Status201Created);
    }

    private static async Task<IResult> RotateAsync(ITokenKeyManager keys, CancellationToken cancellationToken)
    {
        var key = await keys.RotateAsync(cancellationToken: cancellationToken);
        return TypedResults.Created("/api/v1/keys", key);   // the list that now holds it (there is no route per key)
    }
}
