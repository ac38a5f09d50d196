using Microservice.Kit.Problems.Internal;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>
/// Makes every OpenAPI document say how a caller authenticates (the schemes token validation reads) and that an
/// endpoint needing a token or a permission can answer 401 or 403.
/// </summary>
internal static class TokenOpenApi
{
    /// <summary>The security scheme for <c>Authorization: Bearer</c>.</summary>
    public const string BearerScheme = "Bearer";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer(AddSchemes);
        options.AddOperationTransformer(DescribeAsync);
    }

    private static Task AddSchemes(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An access token (RFC 9068) in Authorization: Bearer.",
        };
        if (TokenHeaderOf(context.ApplicationServices) is { } header)
        {
            document.Components.SecuritySchemes[header] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = header,
                Description = $"The same access token, bare, in the {header} header.",
            };
        }

        return Task.CompletedTask;
    }

    private static async Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var authorize = metadata.OfType<IAuthorizeData>().ToList();
        if (authorize.Count == 0 || metadata.OfType<IAllowAnonymous>().Any())
        {
            return;
        }

        // Security requirements are alternatives: either header carries the token.
        operation.Security ??= [];
        operation.Security.Add(Requirement(BearerScheme, context.Document));
        if (TokenHeaderOf(context.ApplicationServices) is { } header)
        {
            operation.Security.Add(Requirement(header, context.Document));
        }

        await ProblemOpenApi.AddResponseAsync(operation, context, 401, "No valid access token (RFC 6750 §3.1).", cancellationToken).ConfigureAwait(false);

        // Only a policy or a role can refuse an authenticated caller; the default policy asks for a token alone.
        if (authorize.Any(a => !string.IsNullOrEmpty(a.Policy) || !string.IsNullOrEmpty(a.Roles)))
        {
            await ProblemOpenApi.AddResponseAsync(operation, context, 403, "The token lacks a permission the operation needs.", cancellationToken).ConfigureAwait(false);
        }
    }

    private static OpenApiSecurityRequirement Requirement(string scheme, OpenApiDocument? document) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };

    private static string? TokenHeaderOf(IServiceProvider services) =>
        services.GetService<IOptions<TokenOptions>>()?.Value.TokenHeader;
}
