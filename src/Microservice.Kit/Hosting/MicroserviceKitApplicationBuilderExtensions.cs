using Microservice.Kit.Hosting;
using Microservice.Kit.Hosting.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds Microservice.Kit's middleware to the request pipeline.</summary>
public static class MicroserviceKitApplicationBuilderExtensions
{
    /// <summary>
    /// Adds, in this order: exception handling that answers every error with an RFC 9457 problem, problem
    /// responses for bare error statuses (404, 405, ...), the normalisation of a quoted request <c>charset</c>
    /// (RFC 9110 §8.3.1), and each added feature's middleware (API versioning,
    /// authentication, authorization). Call it before mapping endpoints.
    /// </summary>
    /// <param name="app">The application builder.</param>
    /// <returns>The application builder.</returns>
    /// <exception cref="InvalidOperationException"><c>AddMicroserviceKit</c> was not called.</exception>
    public static IApplicationBuilder UseMicroserviceKit(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        KitGuard.EnsureAdded(app.ApplicationServices, "app.UseMicroserviceKit()");

        app.UseExceptionHandler();
        app.UseStatusCodePages();

        // Before any endpoint reads a body: RFC 9110's quoted charset="utf-8" is otherwise a 500 in ASP.NET Core.
        app.Use(Microservice.Kit.Problems.Internal.RequestCharsetMiddleware.InvokeAsync);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in app.ApplicationServices.GetServices<KitMiddlewareStep>().OrderBy(s => s.Order))
        {
            if (seen.Add(step.Name))
            {
                step.Configure(app);
            }
        }

        var options = app.ApplicationServices.GetRequiredService<IOptions<MicroserviceKitOptions>>().Value;
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Microservice.Kit.Hosting");
        Log.KitStarted(logger, options.ServiceName ?? "service");
        return app;
    }
}
