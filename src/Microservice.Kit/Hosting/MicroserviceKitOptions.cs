using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Microservice.Kit.Hosting;

/// <summary>Options of the kit as a whole, bound from the <c>MicroserviceKit</c> configuration section.</summary>
public sealed class MicroserviceKitOptions
{
    /// <summary>The configuration section the kit reads by default.</summary>
    public const string SectionName = "MicroserviceKit";

    /// <summary>
    /// The name of this service, used in logs, telemetry, as the default token issuer and in the
    /// <c>User-Agent</c> of outgoing calls: 1 to 64 letters, digits, <c>.</c>, <c>-</c> or <c>_</c>.
    /// </summary>
    /// <value>The default is the host's application name, with other characters replaced by <c>-</c>.</value>
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "must be 1 to 64 letters, digits, '.', '-' or '_'")]
    public string? ServiceName { get; set; }

    /// <summary>Where the health endpoints are mapped by <c>MapKitEndpoints</c>.</summary>
    [ValidateObjectMembers]
    public HealthEndpointOptions Health { get; set; } = new();
}

/// <summary>The paths of the liveness and readiness endpoints.</summary>
public sealed class HealthEndpointOptions
{
    /// <summary>The liveness endpoint: 200 while the process runs.</summary>
    /// <value>The default is <c>/health/live</c>.</value>
    [Required]
    [RegularExpression("^/[A-Za-z0-9._~/-]*$", ErrorMessage = "must be a path that starts with '/'")]
    public string LivePath { get; set; } = "/health/live";

    /// <summary>The readiness endpoint: 200 when every check tagged <see cref="KitHealthTags.Ready"/> passes, else 503.</summary>
    /// <value>The default is <c>/health/ready</c>.</value>
    [Required]
    [RegularExpression("^/[A-Za-z0-9._~/-]*$", ErrorMessage = "must be a path that starts with '/'")]
    public string ReadyPath { get; set; } = "/health/ready";
}

/// <summary>Tags that decide which health endpoint runs a health check.</summary>
public static class KitHealthTags
{
    /// <summary>Checks with this tag run on the readiness endpoint.</summary>
    public const string Ready = "ready";

    /// <summary>Checks with this tag run on the liveness endpoint. Keep them cheap and free of dependencies.</summary>
    public const string Live = "live";
}
