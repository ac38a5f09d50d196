using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace Microservice.Kit.Files.Internal;

/// <summary>What the file endpoints and <see cref="FileUploads"/> answer, declared as endpoint metadata for OpenAPI.</summary>
internal static class FileOpenApi
{
    private const string ProblemJson = "application/problem+json";

    // The id rules of FileIds, as far as a pattern can say them (reserved device names are in the description).
    private const string FileIdPattern = "^[A-Za-z0-9_-]([A-Za-z0-9._-]{0,126}[A-Za-z0-9_-])?$";

    /// <summary>A multipart body with a <c>file</c> part (and <c>file_id</c>, <c>overwrite</c> when <paramref name="withFields"/>), and the problems of reading it.</summary>
    public static TBuilder DescribeUpload<TBuilder>(this TBuilder builder, bool withFields)
        where TBuilder : IEndpointConventionBuilder
    {
        ProducesProblems(builder, StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
        if (withFields)
        {
            ProducesProblems(builder, StatusCodes.Status409Conflict);
        }

        return builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                {
                    ["multipart/form-data"] = new() { Schema = UploadForm(withFields) },
                },
            };
            return Task.CompletedTask;
        });
    }

    /// <summary>A streamed download (<see cref="FileResults.Download"/>): ranges, conditional requests and their problems.</summary>
    public static TBuilder DescribeDownload<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified, typeof(void)));
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            // Any media type (a range metadata cannot declare): a file is served with the type it was stored with.
            operation.Responses ??= [];
            operation.Responses["200"] = Binary("The file.");
            operation.Responses["206"] = Binary("The requested range of the file (RFC 9110 §14.2).");
            return Task.CompletedTask;
        });
        return ProducesProblems(
            builder,
            StatusCodes.Status400BadRequest,
            StatusCodes.Status404NotFound,
            StatusCodes.Status412PreconditionFailed,
            StatusCodes.Status416RangeNotSatisfiable);
    }

    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), [ProblemJson]));
        }

        return builder;
    }

    private static OpenApiResponse Binary(string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
        {
            ["*/*"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
        },
    };

    private static OpenApiSchema UploadForm(bool withFields)
    {
        var form = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string>(StringComparer.Ordinal) { "file" },
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "The content; its part's Content-Type is kept." },
            },
        };
        if (withFields)
        {
            form.Properties["file_id"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Pattern = FileIdPattern,
                MaxLength = FileIds.MaxLength,
                Description = "The id to store the file under (not a Windows device name such as CON); a new id when absent.",
            };
            form.Properties["overwrite"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [JsonValue.Create("true"), JsonValue.Create("false")],
                Default = JsonValue.Create("false"),
                Description = "Whether an existing file under file_id is replaced (else 409).",
            };
        }

        return form;
    }
}
