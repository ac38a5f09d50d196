namespace Employees.Service.Employees;

// The wire shapes of each version. Both versions store the same Employee; only what is shown differs.

internal sealed record EmployeeV1Body(string? Name, string? Address);

internal sealed record EmployeeV1(int Id, string Name, string Address, string? PictureId)
{
    public static EmployeeV1 From(Employee e) => new(e.Id, e.Name, e.Address, e.PictureId);
}

// Email and department are optional (a create without them is 201): their defaults keep them out of the schema's required.
internal sealed record EmployeeV2Body(string? Name, string? Address, string? Email = null, string? Department = null);

internal sealed record EmployeeV2(int Id, string Name, string Address, string? Email, string? Department, string? PictureUrl)
{
    public static EmployeeV2 From(Employee e) =>
        new(e.Id, e.Name, e.Address, e.Email, e.Department, e.PictureId is null ? null : $"/api/v2/employees/{e.Id}/picture");
}
