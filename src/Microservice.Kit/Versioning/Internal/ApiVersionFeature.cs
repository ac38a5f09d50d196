namespace Microservice.Kit.Versioning.Internal;

/// <summary>The version routing selected for a request, or why it could not select one.</summary>
internal sealed class ApiVersionFeature
{
    public ApiVersion? Version { get; set; }

    public ApiVersionReadStatus Error { get; set; }

    /// <summary>Set when the version was read and is not served.</summary>
    public bool Unsupported { get; set; }

    public ApiVersion Requested { get; set; }

    public bool Unspecified { get; set; }

    public ApiVersionSet? Set { get; set; }

    /// <summary>The raw value of a version segment that did not parse.</summary>
    public string? RawSegment { get; set; }
}
