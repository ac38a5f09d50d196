using Microservice.Kit.Data;
using Microsoft.AspNetCore.Identity;

namespace Employees.Service.Users;

/// <summary>
/// On start, makes sure the <c>admin</c> user exists with the configured password and every permission. Changing
/// <c>Employees:Admin:Password</c> and restarting therefore changes admin's password. Replicas starting together on one
/// database race here: the one whose insert or update loses reads admin again and finds the work done.
/// </summary>
internal sealed class AdminSeeder(IRepository<User, int> users, IPasswordHasher<User> hasher, EmployeesSettings settings) : IHostedService
{
    public const string AdminUsername = "admin";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await EnsureAdminAsync(cancellationToken);
                return;
            }
            catch (Exception exception) when (attempt < 5 && exception is DuplicateKeyException or ConcurrencyConflictException)
            {
                // Another replica wrote admin between our read and our write: read it again.
            }
        }
    }

    private async Task EnsureAdminAsync(CancellationToken cancellationToken)
    {
        var password = settings.Admin.Password!;
        var admin = await users.FindByUsernameAsync(AdminUsername, cancellationToken);
        if (admin is null)
        {
            admin = new User { Username = AdminUsername, Permissions = [.. Permissions.All] };
            admin.PasswordHash = hasher.HashPassword(admin, password);
            await users.AddAsync(admin, cancellationToken);
            return;
        }

        // Failed: the configured password changed. SuccessRehashNeeded: stored with fewer iterations than configured now.
        var rehash = hasher.VerifyHashedPassword(admin, admin.PasswordHash, password) != PasswordVerificationResult.Success;
        if (rehash || !Permissions.All.All(admin.Permissions.Contains))
        {
            admin.PasswordHash = rehash ? hasher.HashPassword(admin, password) : admin.PasswordHash;
            admin.Permissions = [.. Permissions.All];
            await users.UpdateAsync(admin, cancellationToken: cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
