using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace Microservice.Kit.S3.Files;

/// <summary>Makes the <see cref="AmazonS3Client"/> the <c>S3</c> provider uses, configured for S3-compatible servers as well as AWS.</summary>
public static class S3ClientFactory
{
    /// <summary>
    /// Creates a client for <paramref name="options"/>: path-style addressing for a <see cref="S3FileStoreOptions.ServiceUrl"/>,
    /// checksums only where an operation requires them and no <c>aws-chunked</c> uploads (servers such as s3rver store
    /// that framing as content), the request timeout and retries of the options, and credentials found the standard
    /// AWS way (environment, profile, instance role).
    /// </summary>
    /// <param name="options">The store's options.</param>
    /// <returns>The client; the caller disposes it.</returns>
    public static AmazonS3Client Create(S3FileStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var region = options.Region ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? "us-east-1";
        var config = new AmazonS3Config
        {
            Timeout = options.RequestTimeout,
            MaxErrorRetry = options.MaxErrorRetry,

            // The SDK's default since 3.7.410 adds CRC checksums (and with them aws-chunked bodies) to every upload;
            // many S3-compatible servers reject or mis-store those (aws-sdk-net #3615). SHA-256 is the kit's own check.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.ServiceUrl is { Length: > 0 } serviceUrl)
        {
            config.ServiceURL = serviceUrl;
            config.AuthenticationRegion = region;
            config.ForcePathStyle = options.ForcePathStyle ?? true;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
            config.ForcePathStyle = options.ForcePathStyle ?? false;
        }

        return new AmazonS3Client(config);
    }
}
