using Microservice.Kit.Data;
using Microservice.Kit.Problems;
using Npgsql;

namespace Microservice.Kit.PostgreSql.Internal;

/// <summary>
/// Turns what Npgsql throws into the kit's problem exceptions, in one place for every part of the package: the
/// database out of reach or too slow is a 503 <c>DependencyUnavailable</c> (the same request succeeds once it is back,
/// so never a 500), a unique violation is a 409 <see cref="DuplicateKeyException"/> naming the field, and the caller's
/// own cancellation stays an <see cref="OperationCanceledException"/>.
/// </summary>
internal static class PostgreSqlErrors
{
    public const string UnavailableDetail = "The database is unavailable; try again later.";
    public const string TimeoutDetail = "The database did not answer in time; try again later.";

    /// <summary>
    /// The problem exception for <paramref name="exception"/>, or <see langword="null"/> when it should propagate as it
    /// is (the caller's cancellation, or a programming error that is rightly a 500).
    /// </summary>
    /// <param name="exception">What Npgsql threw.</param>
    /// <param name="cancellationToken">The caller's token: when it is cancelled, the exception is the caller's doing.</param>
    /// <param name="entityName">The entity, for a duplicate-key message.</param>
    /// <param name="fieldOfConstraint">Maps a unique constraint's name to the field clients know it by.</param>
    public static Exception? Translate(
        Exception exception,
        CancellationToken cancellationToken,
        string? entityName = null,
        Func<string, string?>? fieldOfConstraint = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (cancellationToken.IsCancellationRequested && exception is OperationCanceledException or NpgsqlException)
        {
            return null;
        }

        return exception switch
        {
            PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique when entityName is not null =>
                new DuplicateKeyException(entityName, FieldOf(unique, fieldOfConstraint), unique),
            PostgresException postgres when IsUnavailable(postgres.SqlState) => new DependencyUnavailableException(
                postgres.SqlState == PostgresErrorCodes.QueryCanceled ? TimeoutDetail : UnavailableDetail, postgres),

            // Not from the server: the connection failed, broke, or the client's own timeout fired (an inner TimeoutException).
            NpgsqlException npgsql when npgsql is not PostgresException => new DependencyUnavailableException(
                npgsql.InnerException is TimeoutException ? TimeoutDetail : UnavailableDetail, npgsql),
            TimeoutException timeout => new DependencyUnavailableException(TimeoutDetail, timeout),

            // Npgsql reports a command timeout it cancelled itself as an OperationCanceledException only when a token was
            // involved; the caller's token is not cancelled here, so the timeout fired.
            OperationCanceledException { InnerException: PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } or TimeoutException } canceled =>
                new DependencyUnavailableException(TimeoutDetail, canceled),
            _ => null,
        };
    }

    /// <summary>
    /// Whether a pooled connection was found dead: the server was restarted or terminated it (57P01-57P03, class 08) or
    /// the socket broke. Idle connections opened before the break are dead too, so the pool is cleared, and a read may
    /// run once more on a connection opened now.
    /// </summary>
    public static bool IsBrokenConnection(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && exception switch
        {
            PostgresException postgres => postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                or PostgresErrorCodes.CannotConnectNow || postgres.SqlState.StartsWith("08", StringComparison.Ordinal),
            NpgsqlException npgsql => npgsql.InnerException is IOException or System.Net.Sockets.SocketException or EndOfStreamException,
            _ => false,
        };

    /// <summary>
    /// SQLSTATEs that mean the database, not the request, is at fault right now: connection exceptions (class 08),
    /// insufficient resources (53), operator intervention (57: shutdown, statement timeout), system errors (58),
    /// failed authentication (28: a rotated password), serialization failures and deadlocks (40001, 40P01).
    /// </summary>
    private static bool IsUnavailable(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState.StartsWith("53", StringComparison.Ordinal)
        || sqlState.StartsWith("57", StringComparison.Ordinal)
        || sqlState.StartsWith("58", StringComparison.Ordinal)
        || sqlState.StartsWith("28", StringComparison.Ordinal)
        || sqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
            or PostgresErrorCodes.InvalidCatalogName;

    private static string FieldOf(PostgresException unique, Func<string, string?>? fieldOfConstraint) =>
        (unique.ConstraintName is { } constraint ? fieldOfConstraint?.Invoke(constraint) : null) ?? "key";
}
