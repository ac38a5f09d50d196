namespace BareEmployees;

internal static class Arguments
{
    public static string Get(string[] args, string name, string? fallback = null)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback ?? throw new ArgumentException($"{name} is required.");
    }
}
