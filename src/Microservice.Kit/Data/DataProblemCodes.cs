namespace Microservice.Kit.Data;

/// <summary>The stable problem <c>code</c> values the Data feature sends, beside the kit's own <see cref="Problems.ProblemCodes"/>.</summary>
public static class DataProblemCodes
{
    /// <summary>409: the entity was changed by someone else since the caller read it (no <c>If-Match</c> was involved).</summary>
    public const string ConcurrencyConflict = "ConcurrencyConflict";

    /// <summary>409: another entity already has this value in a unique index; the <c>field</c> member names it.</summary>
    public const string DuplicateKey = "DuplicateKey";
}
