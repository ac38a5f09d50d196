using CsCheck;

namespace Microservice.Kit.Tests.Reliability;

/// <summary>
/// Generators for the inputs an attacker sends: strings assembled from path separators, dots, percent- and
/// overlong-encoded sequences, Unicode look-alikes, bidi overrides, lone surrogates, NUL and reserved device names,
/// mixed with plain characters so that some of them are valid and the property is tested from both sides.
/// </summary>
internal static class HostileStrings
{
    public static readonly string[] Pieces =
    [
        "..", ".", "/", "\\", "%2e", "%2E%2E", "%2f", "%5c", "%252e%252e%252f", "%c0%ae", "%00", "\0", ":", "~",
        "CON", "nul", "Com1", "LPT9", "clock$", "aux.txt", "con.", " ", "\t", "\r\n", "*", "?", "<", ">", "|", "\"",
        "\u2215", "\u2044", "\uFF0E", "\uFF0F", "\uFF3C", "\u202E", "\u200B", "\u00e9", "e\u0301", "\uD800", "\uDC00",
        "\U0001F600", "C:", "c$", "//server/share", "/etc/passwd", "..\\..\\windows", "a", "Z", "9", "-", "_", "report",
        "2026", "x.y", "file-id", "A_b-C.d",
    ];

    /// <summary>1 to 12 hostile or plain pieces, concatenated.</summary>
    public static readonly Gen<string> Assembled =
        Gen.OneOf(Pieces).Array[1, 12].Select(parts => string.Concat(parts));

    /// <summary>Any UTF-16 string up to 200 characters (lone surrogates and control characters included).</summary>
    public static readonly Gen<string> Arbitrary = Gen.Char.Array[0, 200].Select(chars => new string(chars));

    /// <summary>Strings made only of the id alphabet, which are valid unless they start or end with '.' or are reserved.</summary>
    public static readonly Gen<string> IdAlphabet =
        Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."].Array[1, 140].Select(chars => new string(chars));

    public static readonly Gen<string> Any = Gen.OneOf(Assembled, Arbitrary, IdAlphabet);
}
