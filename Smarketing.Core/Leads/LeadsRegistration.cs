using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Smarketing.Core.Leads;

/// <summary>Registers the lifecycle contract: its options (section <c>Lifecycle</c>), their validation, the policy and the clock.</summary>
public static class LeadsRegistration
{
    /// <summary>
    /// Binds <see cref="LifecycleOptions"/> (the shipped reason codes when configuration names none), validates them
    /// at start, and registers the <see cref="LifecyclePolicy"/> singleton and the system <see cref="TimeProvider"/>
    /// unless one is registered already.
    /// </summary>
    public static IHostApplicationBuilder AddLeads(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<LifecycleOptions>()
            .BindConfiguration(LifecycleOptions.SectionName)
            .PostConfigure(AddDefaultReasons)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<LifecycleOptions>, LifecycleOptionsValidator>();
        services.AddSingleton(sp => new LifecyclePolicy(sp.GetRequiredService<IOptions<LifecycleOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        return builder;
    }

    private static void AddDefaultReasons(LifecycleOptions options)
    {
        var defaults = LifecycleOptions.CreateDefault();
        if (options.DisqualificationReasons.Count == 0)
        {
            foreach (var reason in defaults.DisqualificationReasons)
            {
                options.DisqualificationReasons.Add(reason);
            }
        }

        if (options.ClosedLostReasons.Count == 0)
        {
            foreach (var reason in defaults.ClosedLostReasons)
            {
                options.ClosedLostReasons.Add(reason);
            }
        }
    }
}
