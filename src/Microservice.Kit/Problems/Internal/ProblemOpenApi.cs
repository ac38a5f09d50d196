using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Microservice.Kit.Problems.Internal;

/// <summary>Makes every OpenAPI document describe the kit's problem responses as they are written (RFC 9457 plus <c>code</c>).</summary>
internal static class ProblemOpenApi
{
    public const string MediaType = "application/problem+json";

    private const string SchemaName = nameof(ProblemDetails);

    // Every problem the kit writes carries these (ProblemFactory.Create and Complete); a client may rely on them.
    private static readonly string[] AlwaysPresent = ["type", "title", "status", "code"];

    public static void Configure(OpenApiOptions options) => options.AddSchemaTransformer(DescribeProblem);

    /// <summary>
    /// Declares a problem response on an operation (a status that a kit feature produces, not the endpoint itself),
    /// unless the endpoint declared that status already.
    /// </summary>
    public static async Task AddResponseAsync(
        OpenApiOperation operation, OpenApiOperationTransformerContext context, int status, string description, CancellationToken cancellationToken)
    {
        operation.Responses ??= [];
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses.ContainsKey(key))
        {
            return;
        }

        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
            {
                [MediaType] = new() { Schema = await ProblemSchemaAsync(context, cancellationToken).ConfigureAwait(false) },
            },
        };
    }

    private static async Task<IOpenApiSchema> ProblemSchemaAsync(OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var schema = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken).ConfigureAwait(false);
        if (context.Document is not { } document)
        {
            return schema;
        }

        // One shared component, the same one ProducesProblem's responses point at.
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        document.Components.Schemas.TryAdd(SchemaName, schema);
        return new OpenApiSchemaReference(SchemaName, document);
    }

    private static Task DescribeProblem(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (!typeof(ProblemDetails).IsAssignableFrom(context.JsonTypeInfo.Type))
        {
            return Task.CompletedTask;
        }

        schema.Properties ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        schema.Properties["code"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "A stable, machine-readable name of the problem, for example FileExists.",
        };
        schema.Properties["traceId"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The W3C trace id of the request, for finding its logs.",
        };
        schema.Required ??= new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in AlwaysPresent)
        {
            schema.Required.Add(name);
        }

        return Task.CompletedTask;
    }
}
