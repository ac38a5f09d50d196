using Microsoft.AspNetCore.Identity;

namespace Employees.Service.Users;

/// <summary>
/// A hash verified against when the username is unknown, so that response times do not tell which usernames exist.
/// Made with the service's own hasher, so that it costs the configured iterations, as a real user's hash does.
/// </summary>
internal sealed class DecoyPasswordHash(IPasswordHasher<User> hasher)
{
    private readonly Lazy<string> _hash = new(() => hasher.HashPassword(User, Guid.NewGuid().ToString()));

    public static User User { get; } = new();

    public string Hash => _hash.Value;
}
