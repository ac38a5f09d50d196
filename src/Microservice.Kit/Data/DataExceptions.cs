using Microservice.Kit.Problems;

namespace Microservice.Kit.Data;

/// <summary>
/// An update or delete found another version stored than the one expected. When the expected version came from
/// an <c>If-Match</c> header it is a 412 with code <c>PreconditionFailed</c>; when it was the version the entity was
/// read with, a 409 with code <c>ConcurrencyConflict</c>.
/// </summary>
public sealed class ConcurrencyConflictException : KitException
{
    /// <summary>Creates the error.</summary>
    /// <param name="entityName">The entity type's name, for the message.</param>
    /// <param name="expectedVersion">The version the caller expected.</param>
    /// <param name="currentVersion">The version stored now.</param>
    /// <param name="fromPrecondition">Whether the expected version came from <c>If-Match</c> (412) rather than from the entity (409).</param>
    public ConcurrencyConflictException(string entityName, long expectedVersion, long currentVersion, bool fromPrecondition)
        : base(
            fromPrecondition ? 412 : 409,
            fromPrecondition ? ProblemCodes.PreconditionFailed : DataProblemCodes.ConcurrencyConflict,
            fromPrecondition ? "Precondition failed" : "Conflict",
            fromPrecondition
                ? $"The {entityName} has changed: If-Match does not name its current version."
                : $"The {entityName} was changed by another request since it was read; read it again and retry.")
    {
        ExpectedVersion = expectedVersion;
        CurrentVersion = currentVersion;
        Extensions["currentETag"] = EntityTag.FromVersion(currentVersion);
    }

    /// <summary>The version the caller expected.</summary>
    public long ExpectedVersion { get; }

    /// <summary>The version stored now; its ETag is sent as the <c>currentETag</c> member.</summary>
    public long CurrentVersion { get; }
}

/// <summary>An add or update would give a unique index a second entity with the same value: 409, code <c>DuplicateKey</c>.</summary>
public sealed class DuplicateKeyException : ConflictException
{
    /// <summary>Creates the error.</summary>
    /// <param name="entityName">The entity type's name, for the message.</param>
    /// <param name="field">The field whose value is taken, as clients name it (<c>username</c>).</param>
    /// <param name="innerException">The storage error, logged but never sent.</param>
    public DuplicateKeyException(string entityName, string field, Exception? innerException = null)
        : base($"Another {entityName} already has this {field}.", DataProblemCodes.DuplicateKey, innerException)
    {
        Field = field;
        Extensions["field"] = field;
    }

    /// <summary>The field whose value is taken, also sent as the <c>field</c> member.</summary>
    public string Field { get; }
}
