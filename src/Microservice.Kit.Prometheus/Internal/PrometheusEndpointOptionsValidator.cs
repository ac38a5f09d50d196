using Microsoft.Extensions.Options;

namespace Microservice.Kit.Prometheus.Internal;

/// <summary>The DataAnnotations of <see cref="PrometheusEndpointOptions"/>, checked on start.</summary>
[OptionsValidator]
internal sealed partial class PrometheusEndpointOptionsValidator : IValidateOptions<PrometheusEndpointOptions>;
