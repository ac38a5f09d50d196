namespace Microservice.Kit.Hosting.Internal;

internal static class ServiceNames
{
    /// <summary>Makes a valid service name of an application name: <c>Employees.Service</c> stays, spaces become <c>-</c>.</summary>
    public static string FromApplicationName(string? applicationName)
    {
        if (string.IsNullOrWhiteSpace(applicationName))
        {
            return "service";
        }

        Span<char> buffer = stackalloc char[Math.Min(applicationName.Length, 64)];
        for (var i = 0; i < buffer.Length; i++)
        {
            var c = applicationName[i];
            buffer[i] = char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-';
        }

        return new string(buffer);
    }
}
