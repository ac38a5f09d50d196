using Microservice.Kit.Problems.Internal;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Microservice.Kit.Tokens.Internal;

/// <summary>Declares, on a token endpoint's operation, the form-encoded client-credentials request the kit answers and its errors.</summary>
internal static class ClientCredentialsOpenApi
{
    public const string FormMediaType = "application/x-www-form-urlencoded";

    public static async Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };

        var form = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "The client-credentials grant (RFC 6749 §4.4). Authenticate the client with HTTP Basic, or with client_id and client_secret.",
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["grant_type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [System.Text.Json.Nodes.JsonValue.Create(ClientCredentialsGrant.GrantType)] },
                ["scope"] = Text("Space-separated permissions, a subset of the client's; omitted for all of them."),
                ["client_id"] = Text("The client id, when not sent by HTTP Basic."),
                ["client_secret"] = Text("The client secret, when not sent by HTTP Basic."),
            },
            Required = new HashSet<string>(StringComparer.Ordinal) { "grant_type" },
        };

        if (operation.RequestBody is OpenApiRequestBody body)
        {
            body.Content ??= new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal);
            body.Content[FormMediaType] = new OpenApiMediaType { Schema = form };
        }
        else if (operation.RequestBody is null)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { [FormMediaType] = new OpenApiMediaType { Schema = form } },
            };
        }

        await ProblemOpenApi.AddResponseAsync(operation, context, 400, "A malformed token request, an unsupported grant_type or a scope the client may not hold (RFC 6749 §5.2).", cancellationToken).ConfigureAwait(false);
        await ProblemOpenApi.AddResponseAsync(operation, context, 401, "Wrong client credentials (RFC 6749 §5.2 invalid_client).", cancellationToken).ConfigureAwait(false);
        await ProblemOpenApi.AddResponseAsync(operation, context, 429, "Too many attempts; Retry-After says when to try again.", cancellationToken).ConfigureAwait(false);
    }
}
