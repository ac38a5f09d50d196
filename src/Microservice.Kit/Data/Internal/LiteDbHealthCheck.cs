using LiteDB;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StorageErrors = Microservice.Kit.Problems.Internal.StorageErrors;

namespace Microservice.Kit.Data.Internal;

/// <summary>
/// Readiness: the database reads and writes, through the same gate as requests. A pragma read is not enough: LiteDB
/// answers it from memory even after a full disk closed the engine for every other call, and reads succeed while
/// writes fail for want of space. So the check reopens a closed engine (as the next request would), reads a probe
/// document and writes it back; until that works the service is not ready.
/// </summary>
internal sealed class LiteDbHealthCheck(LiteDbContext context) : IHealthCheck
{
    /// <summary>The collection of the probe: one document, rewritten by each check (a few bytes in the log).</summary>
    internal const string ProbeCollection = "kit_readiness";

    private static readonly BsonValue ProbeId = "probe";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext healthContext, CancellationToken cancellationToken = default)
    {
        try
        {
            await context.RecoverAsync(cancellationToken).ConfigureAwait(false);
            await context.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return HealthCheckResult.Unhealthy("The LiteDB database is closed.");
        }
        catch (DatabaseFaultedException exception)
        {
            return Unhealthy(exception);
        }

        try
        {
            var probes = context.Database.GetCollection(ProbeCollection);
            var probe = probes.FindById(ProbeId) ?? new BsonDocument { ["_id"] = ProbeId, ["checks"] = 0L };
            if (!context.ReadOnly)
            {
                probe["checks"] = probe["checks"].AsInt64 + 1;
                probes.Upsert(probe);
            }

            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return Unhealthy(exception);
        }
        finally
        {
            context.Gate.Release();
        }
    }

    private static HealthCheckResult Unhealthy(Exception exception) => StorageErrors.IsDiskFull(exception)
        ? HealthCheckResult.Unhealthy("The LiteDB database cannot write: the disk is full.", exception)
        : HealthCheckResult.Unhealthy("The LiteDB database does not answer.", exception);
}
