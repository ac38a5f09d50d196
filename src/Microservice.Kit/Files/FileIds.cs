using Microservice.Kit.Problems;

namespace Microservice.Kit.Files;

/// <summary>
/// The rules a file id follows, shared by every store and endpoint: 1 to 128 characters of ASCII letters, digits,
/// <c>-</c>, <c>_</c> and <c>.</c>, not starting or ending with <c>.</c>, and not a reserved device name.
/// </summary>
/// <remarks>
/// The character set alone rules out every path trick (<c>/</c>, <c>\</c>, <c>:</c>, <c>%</c>, NUL, drive letters,
/// Unicode look-alikes), and a leading <c>.</c> rules out <c>.</c>, <c>..</c> and the store's own hidden temporary
/// files. Windows device names (<c>CON</c>, <c>NUL</c>, <c>COM1</c>, ... with or without an extension) are refused
/// so that a store can move between operating systems, and so is a trailing <c>.</c>, which Windows strips and
/// would make two ids one file.
/// </remarks>
public static class FileIds
{
    /// <summary>The longest id, in characters.</summary>
    public const int MaxLength = 128;

    private static readonly string[] ReservedNames =
    [
        "CON", "PRN", "AUX", "NUL", "CLOCK$", "CONIN$", "CONOUT$",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];

    /// <summary>Tells whether <paramref name="fileId"/> follows the id rules.</summary>
    /// <param name="fileId">The candidate id.</param>
    /// <returns><see langword="true"/> when it is a valid id.</returns>
    public static bool IsValid(string? fileId) => Explain(fileId) is null;

    /// <summary>Throws a 400 problem (code <see cref="FileProblemCodes.InvalidFileId"/>) when <paramref name="fileId"/> breaks the rules.</summary>
    /// <param name="fileId">The candidate id.</param>
    /// <returns>The id, for chaining.</returns>
    /// <exception cref="BadRequestException">The id is invalid.</exception>
    public static string Validate(string? fileId)
    {
        if (Explain(fileId) is { } reason)
        {
            throw new BadRequestException("The file id is invalid: " + reason, FileProblemCodes.InvalidFileId);
        }

        return fileId!;
    }

    /// <summary>Creates a new random id: 32 lowercase hexadecimal digits, ordered by creation time (UUID version 7).</summary>
    /// <returns>A new id.</returns>
    public static string NewId() => Guid.CreateVersion7().ToString("N");

    internal static bool IsIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    private static string? Explain(string? fileId)
    {
        if (string.IsNullOrEmpty(fileId))
        {
            return "it is empty.";
        }

        if (fileId.Length > MaxLength)
        {
            return $"it is longer than {MaxLength} characters.";
        }

        foreach (var c in fileId)
        {
            if (!IsIdChar(c))
            {
                // The offending character is not echoed: it may be a control character or half a surrogate.
                return "only letters, digits, '-', '_' and '.' are allowed.";
            }
        }

        if (fileId[0] == '.')
        {
            return "it must not start with '.'.";
        }

        if (fileId[^1] == '.')
        {
            return "it must not end with '.'.";
        }

        var stem = fileId.AsSpan();
        var dot = stem.IndexOf('.');
        if (dot >= 0)
        {
            stem = stem[..dot];
        }

        foreach (var reserved in ReservedNames)
        {
            if (stem.Equals(reserved, StringComparison.OrdinalIgnoreCase))
            {
                return "it is a reserved device name.";
            }
        }

        return null;
    }
}
