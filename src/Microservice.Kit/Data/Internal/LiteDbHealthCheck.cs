using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microservice.Kit.Data.Internal;

/// <summary>Readiness: the database answers a read within the health check's time, through the same gate as requests.</summary>
internal sealed class LiteDbHealthCheck(LiteDbContext context) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext healthContext, CancellationToken cancellationToken = default)
    {
        try
        {
            await context.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return HealthCheckResult.Unhealthy("The LiteDB database is closed.");
        }

        try
        {
            _ = context.Database.UserVersion;
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The LiteDB database does not answer.", exception);
        }
        finally
        {
            context.Gate.Release();
        }
    }
}
