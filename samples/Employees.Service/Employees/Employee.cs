using Microservice.Kit.Data;

namespace Employees.Service.Employees;

/// <summary>An employee as stored. v1 shows id, name, address and pictureId; v2 adds email and department.</summary>
internal sealed class Employee : Entity<int>
{
    public string Name { get; set; } = string.Empty;

    public string Address { get; set; } = string.Empty;

    public string? Email { get; set; }

    public string? Department { get; set; }

    /// <summary>The id of the picture in the pictures store, or <see langword="null"/> without one.</summary>
    public string? PictureId { get; set; }
}

/// <summary>How employees are stored, on any backend: the <c>employees</c> collection and the rules of both API versions.</summary>
internal sealed class EmployeeDefinition : IEntityDefinition<Employee>
{
    public void Configure(EntityTypeBuilder<Employee> entity) => entity.ToCollection("employees").Validate(Validate);

    private static void Validate(Employee employee, ValidationErrors errors)
    {
        errors.Length(employee.Name?.Trim(), "name", 1, 255);
        errors.Length(employee.Address?.Trim(), "address", 1, 1023);
        if (employee.Email is not null)
        {
            errors.Length(employee.Email, "email", 3, 254);
            errors.Check(employee.Email.Contains('@', StringComparison.Ordinal), "email", "must be an email address");
        }

        if (employee.Department is not null)
        {
            errors.Length(employee.Department, "department", 1, 255);
        }
    }
}
