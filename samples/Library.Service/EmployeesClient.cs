using Microservice.Kit.Clients;

namespace Library.Service;

/// <summary>Library's view of Employees, through the kit's resilient client (retries, timeouts, circuit breaker, API version).</summary>
internal sealed class EmployeesClient(ServiceClient client)
{
    /// <summary>The employee, or <see langword="null"/> when Employees says it does not exist.</summary>
    /// <exception cref="ServiceCallException">
    /// 503 <c>DependencyUnavailable</c>: Employees is down, slow or failing; 502 <c>DependencyInvalidResponse</c>:
    /// Employees answered with something unusable (over 1 MiB, undecodable, not JSON, or no name); or 403
    /// <c>Forbidden</c>: Employees refused the caller's own token (lending needs <c>emp.list</c> there), which the client
    /// passes on.
    /// </exception>
    public Task<EmployeeSummary?> FindAsync(int id, CancellationToken cancellationToken) =>
        // The unversioned route: the client's version handler asks for the highest version both sides know.
        client.GetOrDefaultAsync<EmployeeSummary>($"/api/employees/{id}", cancellationToken);
}

internal sealed record EmployeeSummary(int Id, string Name);

/// <summary>
/// Employees as Library itself sees it, with Library's own token (client credentials, permission <c>emp.list</c>): for
/// answers Library gives on its own authority, such as who holds a book, to callers who may not read Employees themselves.
/// </summary>
internal sealed class EmployeesDirectory(ServiceClient client)
{
    /// <summary>The employee, or <see langword="null"/> when Employees says it does not exist.</summary>
    /// <exception cref="ServiceCallException">503 <c>DependencyUnavailable</c>: Employees, or its token endpoint, is down or refused Library's credentials.</exception>
    public Task<EmployeeSummary?> FindAsync(int id, CancellationToken cancellationToken) =>
        client.GetOrDefaultAsync<EmployeeSummary>($"/api/employees/{id}", cancellationToken);
}
