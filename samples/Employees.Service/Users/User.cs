using Microservice.Kit.Data;

namespace Employees.Service.Users;

/// <summary>A user who can sign in. The password is kept only as a <see cref="Microsoft.AspNetCore.Identity.PasswordHasher{TUser}"/> hash.</summary>
internal sealed class User : Entity<int>
{
    public string Username { get; set; } = string.Empty;

    public string PasswordHash { get; set; } = string.Empty;

    public List<string> Permissions { get; set; } = [];
}
