using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Microservice.Kit.PostgreSql.Internal;

/// <summary>
/// Readiness: a real round trip through the pool (<c>SELECT 1</c>), so a database that is down, refuses connections or
/// has run out of them makes the service not ready, and ready again as soon as it answers.
/// </summary>
internal sealed class PostgreSqlHealthCheck(PostgreSqlDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var command = database.DataSource.CreateCommand("SELECT 1");
            await using var commandScope = command.ConfigureAwait(false);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The PostgreSQL database '{database.Name}' does not answer.", exception);
        }
    }
}
