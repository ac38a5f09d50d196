using Microservice.Kit.Data;

namespace Employees.Service.Users;

internal sealed class UserRepository(LiteDbContext context) : LiteDbRepository<User, int>(context, "users")
{
    public Task<User?> FindByUsernameAsync(string username, CancellationToken cancellationToken) =>
        FindOneAsync(u => u.Username == username, cancellationToken);

    protected override void ConfigureIndexes(IndexBuilder<User> indexes) => indexes.Unique(u => u.Username, "username");

    protected override void Validate(User user, ValidationErrors errors)
    {
        errors.Length(user.Username, "username", 1, 64);
        errors.Check(user.Username.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@'), "username", "may hold only letters, digits, '.', '-', '_' and '@'");
        foreach (var permission in user.Permissions)
        {
            errors.Check(Service.Permissions.All.Contains(permission), "permissions", $"'{permission}' is not a permission of these services");
        }
    }
}
