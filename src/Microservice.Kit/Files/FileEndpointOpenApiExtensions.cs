using Microservice.Kit.Files;
using Microservice.Kit.Files.Internal;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Declares, for OpenAPI, what an application's own endpoint built on <see cref="FileUploads"/> or
/// <see cref="FileResults"/> accepts and answers. <c>MapFileEndpoints</c> declares its endpoints itself.
/// </summary>
public static class FileEndpointOpenApiExtensions
{
    /// <summary>
    /// Declares the body <see cref="FileUploads.ReadSingleFileAsync"/> reads (<c>multipart/form-data</c> with a
    /// <c>file</c> part) and its problem responses: 400 (malformed form, no <c>file</c> part), 413 (over the size
    /// limit) and 415 (not multipart, or a type the upload policy refuses).
    /// </summary>
    /// <typeparam name="TBuilder">The convention builder's type.</typeparam>
    /// <param name="builder">The endpoint.</param>
    /// <returns>The builder.</returns>
    public static TBuilder AcceptsFileUpload<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return FileOpenApi.DescribeUpload(builder, withFields: false);
    }

    /// <summary>
    /// Declares what <see cref="FileResults.Download"/> answers: 200 and 206 (a range) with the file's own media type,
    /// 304 (<c>If-None-Match</c>), and the problems 400 (invalid id), 404, 412 (<c>If-Match</c>) and 416 (range).
    /// </summary>
    /// <typeparam name="TBuilder">The convention builder's type.</typeparam>
    /// <param name="builder">The endpoint.</param>
    /// <returns>The builder.</returns>
    public static TBuilder ProducesFileDownload<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return FileOpenApi.DescribeDownload(builder);
    }
}
