using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;

namespace Microservice.Kit.Versioning.Internal;

/// <summary>Makes one Microsoft.AspNetCore.OpenApi document describe one version.</summary>
internal static class ApiVersionOpenApi
{
    public static void Configure(OpenApiOptions options, ApiVersion version)
    {
        var documentName = options.DocumentName;
        options.ShouldInclude = description => Includes(description, version, documentName);
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Version = version.ToString();
            return Task.CompletedTask;
        });
        options.AddOperationTransformer(async (operation, context, cancellationToken) =>
        {
            if (ModelOf(context.Description) is { } model && model.Set.IsDeprecated(version))
            {
                operation.Deprecated = true;
            }

            foreach (var response in context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiVersionResponseMetadata>())
            {
                if (response.Version == version)
                {
                    await DescribeResponseAsync(operation, context, response, cancellationToken).ConfigureAwait(false);
                }
            }
        });
    }

    private static async Task DescribeResponseAsync(
        OpenApiOperation operation, OpenApiOperationTransformerContext context, ApiVersionResponseMetadata response, CancellationToken cancellationToken)
    {
        IOpenApiSchema schema = await context.GetOrCreateSchemaAsync(response.ResponseType, null, cancellationToken).ConfigureAwait(false);
        if (context.Document is { } document && schema.Type == JsonSchemaType.Object)
        {
            // A named component, as Produces<T> gives, so that a generated client gets a named type, not an anonymous one.
            var id = SchemaIdOf(response.ResponseType);
            document.Components ??= new OpenApiComponents();
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
            document.Components.Schemas.TryAdd(id, schema);
            schema = new OpenApiSchemaReference(id, document);
        }

        operation.Responses ??= [];
        operation.Responses[response.StatusCode.ToString(CultureInfo.InvariantCulture)] = new OpenApiResponse
        {
            Description = ReasonPhrases.GetReasonPhrase(response.StatusCode),
            Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
            {
                ["application/json"] = new() { Schema = schema },
            },
        };
    }

    // ASP.NET Core's naming of generic types: PageResult<EmployeeV2> is PageResultOfEmployeeV2.
    private static string SchemaIdOf(Type type) =>
        type.IsGenericType
            ? type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] + "Of" + string.Join("And", type.GetGenericArguments().Select(SchemaIdOf))
            : type.Name;

    private static bool Includes(ApiDescription description, ApiVersion version, string documentName)
    {
        if (ModelOf(description) is not { } model)
        {
            // Not a versioned group's endpoint: the library's usual rule.
            return description.GroupName is null || string.Equals(description.GroupName, documentName, StringComparison.Ordinal);
        }

        return model.Kind == ApiVersionRouteKind.Literal && model.Literal == version && model.Serves(version);
    }

    private static ApiVersionEndpointMetadata? ModelOf(ApiDescription description) =>
        description.ActionDescriptor.EndpointMetadata.OfType<ApiVersionEndpointMetadata>().LastOrDefault();
}
