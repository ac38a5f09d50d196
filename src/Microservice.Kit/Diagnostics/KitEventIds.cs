namespace Microservice.Kit.Diagnostics;

/// <summary>
/// Event id ranges, one per feature, so that ids stay unique across the package. Each feature's
/// <c>Log</c> class takes ids only from its own range.
/// </summary>
internal static class KitEventIds
{
    public const int Hosting = 1000;     // 1000-1099
    public const int Problems = 1100;    // 1100-1199
    public const int Tokens = 2000;      // 2000-2999
    public const int Data = 3000;        // 3000-3999
    public const int Files = 4000;       // 4000-4999
    public const int Versioning = 5000;  // 5000-5999
    public const int Clients = 6000;     // 6000-6999
}
