namespace Microservice.Kit.Files;

/// <summary>The stable <c>code</c> values of the Files feature's problem responses.</summary>
public static class FileProblemCodes
{
    /// <summary>400: the file id breaks the id rules (see <see cref="FileIds"/>).</summary>
    public const string InvalidFileId = "InvalidFileId";

    /// <summary>400: the upload is not a usable multipart form (no <c>file</c> part, two of them, fields after the file, a bad <c>overwrite</c>).</summary>
    public const string InvalidUpload = "InvalidUpload";

    /// <summary>404: no file with the id exists.</summary>
    public const string FileNotFound = "FileNotFound";

    /// <summary>409: a file with the id exists and overwriting was not asked for.</summary>
    public const string FileExists = "FileExists";
}
