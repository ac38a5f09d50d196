using System.ComponentModel.DataAnnotations;

namespace Microservice.Kit.S3.Files;

/// <summary>
/// The options of the <c>S3</c> file store provider, bound from the store's section (<c>MicroserviceKit:Files</c> or
/// <c>MicroserviceKit:Files:Stores:&lt;name&gt;</c>). Credentials are not here: they are read the standard AWS way
/// (<c>AWS_ACCESS_KEY_ID</c>/<c>AWS_SECRET_ACCESS_KEY</c>, a profile, or the instance's role).
/// </summary>
public sealed class S3FileStoreOptions
{
    /// <summary>
    /// The endpoint of an S3-compatible server (<c>http://minio:9000</c>); <see langword="null"/> for AWS S3 itself, found by
    /// <see cref="Region"/>.
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    [Url(ErrorMessage = "must be an absolute http or https URL")]
    public string? ServiceUrl { get; set; }

    /// <summary>The bucket; it must exist (the store never creates buckets).</summary>
    /// <value>The default is <see langword="null"/>: required.</value>
    [Required(ErrorMessage = "is required")]
    [RegularExpression("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", ErrorMessage = "must be a valid bucket name (3-63 lowercase letters, digits, '.' or '-')")]
    public string? Bucket { get; set; }

    /// <summary>
    /// The key prefix every file of this store is kept under (<c>files/</c>), so that several stores share a bucket; the
    /// store's objects are the prefix plus the file id.
    /// </summary>
    /// <value>The default is empty: the whole bucket.</value>
    [RegularExpression("^([A-Za-z0-9_.-]+/)*$", ErrorMessage = "must be empty or path segments of letters, digits, '-', '_' or '.', each ending in '/'")]
    public string Prefix { get; set; } = string.Empty;

    /// <summary>The region requests are signed for; with no <see cref="ServiceUrl"/> it also picks the AWS endpoint.</summary>
    /// <value>The default is <see langword="null"/>: <c>AWS_REGION</c>, else <c>us-east-1</c>.</value>
    public string? Region { get; set; }

    /// <summary>
    /// Whether the bucket is addressed in the path (<c>http://host/bucket/key</c>) rather than the host name; most
    /// S3-compatible servers need it.
    /// </summary>
    /// <value>The default is <see langword="null"/>: on when <see cref="ServiceUrl"/> is set, off for AWS.</value>
    public bool? ForcePathStyle { get; set; }

    /// <summary>
    /// The size of each part of a multipart upload and of the one pooled buffer a write holds: memory per concurrent upload.
    /// Content up to this size is one <c>PUT</c>.
    /// </summary>
    /// <value>The default is 8,388,608 (8 MiB).</value>
    [Range(5L * 1024 * 1024, 512L * 1024 * 1024, ErrorMessage = "must be between 5 MiB (the S3 minimum part size) and 512 MiB")]
    public int PartSizeBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// A backstop only: how old an unfinished upload or content object that names no store instance (written by hand or
    /// by an earlier version of the kit) must be before a starting replica removes it. What a store instance wrote is
    /// removed on the next start as soon as that instance is gone, whatever its age, and never while it lives: every
    /// instance holds its own key with the file store arbiter for its lifetime.
    /// </summary>
    /// <value>The default is 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00", ErrorMessage = "must be between 0 and 30 days")]
    public TimeSpan AbandonedUploadAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long one request to the object store may take before the store answers 503 <c>DependencyUnavailable</c>.</summary>
    /// <value>The default is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "must be between 1 second and 1 hour")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the SDK retries a request that failed for a transient reason before the store gives up with 503.</summary>
    /// <value>The default is 2.</value>
    [Range(0, 10, ErrorMessage = "must be between 0 and 10")]
    public int MaxErrorRetry { get; set; } = 2;
}
