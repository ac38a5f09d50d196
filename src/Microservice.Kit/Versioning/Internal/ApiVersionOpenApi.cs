using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.OpenApi;

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
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (ModelOf(context.Description) is { } model && model.Set.IsDeprecated(version))
            {
                operation.Deprecated = true;
            }

            return Task.CompletedTask;
        });
    }

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
