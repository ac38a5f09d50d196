namespace Microservice.Kit.Data.Internal;

/// <summary>The Data feature's fixed names.</summary>
internal static class DataConstants
{
    /// <summary>The logger category of every repository and unit of work.</summary>
    public const string LoggerName = "Microservice.Kit.Data";
}
