using Microservice.Kit.Clients;
using Microservice.Kit.Problems;

namespace Library.Service;

/// <summary>Library's view of Employees, through the kit's resilient client (retries, timeouts, circuit breaker, API version).</summary>
internal sealed class EmployeesClient(ServiceClient client)
{
    /// <summary>The employee, or <see langword="null"/> when Employees says it does not exist.</summary>
    /// <exception cref="ServiceCallException">503 <c>DependencyUnavailable</c>: Employees is down, slow or failing.</exception>
    public async Task<EmployeeSummary?> FindAsync(int id, CancellationToken cancellationToken)
    {
        try
        {
            // The unversioned route: the client's version handler asks for the highest version both sides know.
            return await client.GetOrDefaultAsync<EmployeeSummary>($"/api/employees/{id}", cancellationToken);
        }
        catch (ServiceCallException e) when (e.ResponseStatusCode == System.Net.HttpStatusCode.Forbidden)
        {
            // The caller's own token went along: Employees refusing it is the caller's missing permission, not an outage.
            throw new KitException(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, "Forbidden",
                "Lending needs the emp.list permission to look the employee up in Employees.", e);
        }
    }
}

internal sealed record EmployeeSummary(int Id, string Name);
