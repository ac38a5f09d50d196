using Microservice.Kit.Data;

namespace Employees.Service.Users;

/// <summary>How users are stored, on any backend: the <c>users</c> collection, usernames unique, and their rules.</summary>
internal sealed class UserDefinition : IEntityDefinition<User>
{
    public void Configure(EntityTypeBuilder<User> entity) => entity
        .ToCollection("users")
        .HasUniqueIndex(u => u.Username, "username")
        .Validate(static (u, errors) =>
        {
            errors.Length(u.Username, "username", 1, 64);
            errors.Check(u.Username.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@'), "username", "may hold only letters, digits, '.', '-', '_' and '@'");
            foreach (var permission in u.Permissions)
            {
                errors.Check(Service.Permissions.All.Contains(permission), "permissions", $"'{permission}' is not a permission of these services");
            }
        });
}

/// <summary>The users' queries beyond the repository contract, over <see cref="IRepository{TEntity, TId}"/> only.</summary>
internal static class UserQueries
{
    public static Task<User?> FindByUsernameAsync(this IRepository<User, int> users, string username, CancellationToken cancellationToken) =>
        users.FindOneAsync(u => u.Username == username, cancellationToken);
}
