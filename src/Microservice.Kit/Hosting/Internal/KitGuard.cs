namespace Microservice.Kit.Hosting.Internal;

internal static class KitGuard
{
    public static void EnsureAdded(IServiceProvider services, string caller)
    {
        if (services.GetService(typeof(KitMarker)) is null)
        {
            throw new InvalidOperationException(
                $"{caller} needs the kit's services: call builder.AddMicroserviceKit() (or services.AddMicroserviceKit()) before building the application.");
        }
    }
}
