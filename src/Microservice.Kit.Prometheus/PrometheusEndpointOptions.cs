using System.ComponentModel.DataAnnotations;

namespace Microservice.Kit.Prometheus;

/// <summary>Options of the Prometheus scraping endpoint, bound from <c>MicroserviceKit:Prometheus</c>.</summary>
public sealed class PrometheusEndpointOptions
{
    /// <summary>The configuration section, under the kit's, that the options bind from.</summary>
    public const string SectionName = "Prometheus";

    /// <summary>
    /// The path Prometheus scrapes. Requests to it are answered before the rest of the pipeline and never traced.
    /// </summary>
    /// <value>The default is <c>/metrics</c>.</value>
    [Required]
    [RegularExpression("^/[A-Za-z0-9._~/-]*$", ErrorMessage = "must be a path that starts with '/'")]
    public string Path { get; set; } = "/metrics";
}
