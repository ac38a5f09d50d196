namespace Microservice.Kit.Files;

/// <summary>What an upload endpoint accepts.</summary>
public sealed class UploadPolicy
{
    /// <summary>The largest file accepted, in bytes; larger is 413 <c>PayloadTooLarge</c> and nothing is kept.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="FileStoreOptions.MaxUploadBytes"/> (100 MiB unless configured).</value>
    public long? MaxBytes { get; init; }

    /// <summary>
    /// The file types accepted, recognised by the content's leading bytes; anything else is 415
    /// <c>UnsupportedMediaType</c>. When set, the stored content type is the matching signature's, whatever the client claimed.
    /// </summary>
    /// <value>The default is <see langword="null"/>: any content, stored with the type the client sent (or the one its bytes show).</value>
    public IReadOnlyList<FileSignature>? Allowed { get; init; }

    /// <summary>The name of the multipart part that carries the file.</summary>
    /// <value>The default is <c>file</c>.</value>
    public string FileFieldName { get; init; } = "file";
}
