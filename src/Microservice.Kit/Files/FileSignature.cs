using System.Globalization;

namespace Microservice.Kit.Files;

/// <summary>
/// A file type recognised by its leading bytes ("magic number"), not by its name or the client's claim.
/// </summary>
public sealed class FileSignature
{
    private readonly short[] _pattern;

    /// <summary>Creates a signature from a hexadecimal pattern in which <c>??</c> matches any byte.</summary>
    /// <param name="contentType">The media type of files that match, for example <c>image/png</c>.</param>
    /// <param name="pattern">Space-separated bytes from the file's start, for example <c>52 49 46 46 ?? ?? ?? ?? 57 45 42 50</c> (WebP).</param>
    /// <exception cref="ArgumentException">The pattern is empty, longer than 64 bytes or not hexadecimal.</exception>
    public FileSignature(string contentType, string pattern)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        var parts = pattern.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > FileStoreConstants.SignatureBytes)
        {
            throw new ArgumentException($"A signature covers at most {FileStoreConstants.SignatureBytes} bytes.", nameof(pattern));
        }

        _pattern = new short[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i] == "??")
            {
                _pattern[i] = -1;
            }
            else if (parts[i].Length == 2 && byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                _pattern[i] = value;
            }
            else
            {
                throw new ArgumentException($"'{parts[i]}' is neither a hexadecimal byte nor '??'.", nameof(pattern));
            }
        }

        ContentType = contentType;
        Pattern = pattern;
    }

    /// <summary>The media type of files that match.</summary>
    public string ContentType { get; }

    /// <summary>The pattern this signature was created from.</summary>
    public string Pattern { get; }

    /// <summary>Tells whether a file that starts with <paramref name="header"/> has this signature.</summary>
    /// <param name="header">The file's first bytes (at least as many as the pattern).</param>
    /// <returns><see langword="true"/> on a match.</returns>
    public bool Matches(ReadOnlySpan<byte> header)
    {
        if (header.Length < _pattern.Length)
        {
            return false;
        }

        for (var i = 0; i < _pattern.Length; i++)
        {
            if (_pattern[i] >= 0 && header[i] != _pattern[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => ContentType + " (" + Pattern + ")";
}
