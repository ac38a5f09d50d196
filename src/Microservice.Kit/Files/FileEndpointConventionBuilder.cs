using Microsoft.AspNetCore.Builder;

namespace Microservice.Kit.Files;

/// <summary>
/// Returned by <c>MapFileEndpoints</c>: conventions added to it apply to every file endpoint, those added to
/// <see cref="Read"/> or <see cref="Write"/> to one kind, so that reading and writing can need different permissions:
/// <code>
/// var files = app.MapFileEndpoints("/api/v1/files");
/// files.Read.RequirePermission("files.read");
/// files.Write.RequirePermission("files.write");
/// </code>
/// </summary>
public sealed class FileEndpointConventionBuilder : IEndpointConventionBuilder
{
    internal FileEndpointConventionBuilder(IEndpointConventionBuilder read, IEndpointConventionBuilder write)
    {
        Read = read;
        Write = write;
    }

    /// <summary>The read endpoint: <c>GET {pattern}/{fileId}</c>.</summary>
    public IEndpointConventionBuilder Read { get; }

    /// <summary>The write endpoints: <c>POST {pattern}</c> and <c>DELETE {pattern}/{fileId}</c>.</summary>
    public IEndpointConventionBuilder Write { get; }

    /// <inheritdoc/>
    public void Add(Action<EndpointBuilder> convention)
    {
        Read.Add(convention);
        Write.Add(convention);
    }

    /// <inheritdoc/>
    public void Finally(Action<EndpointBuilder> finallyConvention)
    {
        Read.Finally(finallyConvention);
        Write.Finally(finallyConvention);
    }
}
