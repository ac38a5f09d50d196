namespace Microservice.Kit.Tests.Reliability;

/// <summary>Looks for secrets in log lines: each secret whole, and (for long ones) any 24-character slice of it.</summary>
public static class SecretScan
{
    public static List<string> Find(IReadOnlyList<string> lines, IEnumerable<(string What, string Value)> secrets)
    {
        var leaks = new List<string>();
        foreach (var (what, value) in secrets.Where(s => s.Value.Length >= 8))
        {
            // Slices catch a secret that was truncated or split before logging, without matching on short common text.
            var probes = value.Length <= 48 ? [value] : Enumerable.Range(0, value.Length / 24).Select(i => value.Substring(i * 24, 24)).ToArray();
            foreach (var line in lines)
            {
                if (probes.Any(p => line.Contains(p, StringComparison.Ordinal)))
                {
                    leaks.Add($"{what} in: {(line.Length > 300 ? line[..300] : line)}");
                    break;
                }
            }
        }

        return leaks;
    }
}
