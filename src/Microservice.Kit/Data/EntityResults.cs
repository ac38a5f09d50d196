using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace Microservice.Kit.Data;

/// <summary>
/// Results for an entity a handler has just written or read: the body, and its version as a strong <c>ETag</c>
/// (<see cref="EntityTag.FromVersion"/>) for the client's next <c>If-Match</c>. Returned from a handler, they also tell the
/// OpenAPI document the status and body type, as <c>TypedResults</c> do.
/// </summary>
public static class EntityResults
{
    /// <summary>201 Created with <c>Location</c>, <c>ETag</c> and the entity as JSON.</summary>
    /// <typeparam name="TValue">The response body's type.</typeparam>
    /// <param name="location">Where the new entity can be read, for example <c>/api/v1/departments/3</c>.</param>
    /// <param name="value">The response body (the entity, or its response shape).</param>
    /// <param name="version">The entity's <see cref="IEntity{TId}.Version"/> after the write.</param>
    /// <returns>The result.</returns>
    public static CreatedWithETag<TValue> Created<TValue>(string location, TValue value, long version)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        return new CreatedWithETag<TValue>(TypedResults.Created(location, value), EntityTag.FromVersion(version));
    }

    /// <summary>200 OK with <c>ETag</c> and the entity as JSON.</summary>
    /// <typeparam name="TValue">The response body's type.</typeparam>
    /// <param name="value">The response body (the entity, or its response shape).</param>
    /// <param name="version">The entity's <see cref="IEntity{TId}.Version"/>.</param>
    /// <returns>The result.</returns>
    public static OkWithETag<TValue> Ok<TValue>(TValue value, long version)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        return new OkWithETag<TValue>(TypedResults.Ok(value), EntityTag.FromVersion(version));
    }

    // The status and body type the framework's own result declares, plus the ETag header it does not know about.
    internal static void Populate<TResult>(MethodInfo method, EndpointBuilder builder)
        where TResult : IEndpointMetadataProvider => TResult.PopulateMetadata(method, builder);
}

/// <summary>201 Created with <c>Location</c>, <c>ETag</c> and a JSON body; made by <see cref="EntityResults.Created"/>.</summary>
/// <typeparam name="TValue">The body's type.</typeparam>
public sealed class CreatedWithETag<TValue> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<TValue>
{
    private readonly Created<TValue> _inner;

    internal CreatedWithETag(Created<TValue> inner, string entityTag)
    {
        _inner = inner;
        ETag = entityTag;
    }

    /// <summary>The <c>ETag</c> header's value, quotes included.</summary>
    public string ETag { get; }

    /// <summary>The <c>Location</c> header's value.</summary>
    public string? Location => _inner.Location;

    /// <inheritdoc />
    public TValue? Value => _inner.Value;

    object? IValueHttpResult.Value => _inner.Value;

    /// <inheritdoc />
    public int StatusCode => StatusCodes.Status201Created;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.Headers.ETag = ETag;
        return _inner.ExecuteAsync(httpContext);
    }

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        EntityResults.Populate<Created<TValue>>(method, builder);
}

/// <summary>200 OK with <c>ETag</c> and a JSON body; made by <see cref="EntityResults.Ok"/>.</summary>
/// <typeparam name="TValue">The body's type.</typeparam>
public sealed class OkWithETag<TValue> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<TValue>
{
    private readonly Ok<TValue> _inner;

    internal OkWithETag(Ok<TValue> inner, string entityTag)
    {
        _inner = inner;
        ETag = entityTag;
    }

    /// <summary>The <c>ETag</c> header's value, quotes included.</summary>
    public string ETag { get; }

    /// <inheritdoc />
    public TValue? Value => _inner.Value;

    object? IValueHttpResult.Value => _inner.Value;

    /// <inheritdoc />
    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.Headers.ETag = ETag;
        return _inner.ExecuteAsync(httpContext);
    }

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        EntityResults.Populate<Ok<TValue>>(method, builder);
}
