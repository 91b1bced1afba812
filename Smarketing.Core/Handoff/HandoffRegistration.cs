using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Smarketing.Core.Handoff;

/// <summary>The handoff feature's registration.</summary>
public static class HandoffRegistration
{
    /// <summary>
    /// The CRMs (<see cref="CrmRegistration.AddCrm"/>), <see cref="MqlHandoff"/>, <see cref="CrmCircuit"/> and
    /// <see cref="HandoffReconciler"/>. The queue, the ledger, the owner cursor, the CRM state and the sandbox's table
    /// are storage, registered by the host.
    /// </summary>
    public static IHostApplicationBuilder AddHandoff(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddCrm();
        builder.AddHandoffOptions();
        builder.Services.TryAddSingleton<MqlHandoff>();
        builder.Services.TryAddSingleton<CrmCircuit>();
        builder.Services.TryAddSingleton<HandoffReconciler>();
        return builder;
    }

    /// <summary>Registers <see cref="HandoffOptions"/>, which the intake reads too; registering twice is harmless.</summary>
    public static IHostApplicationBuilder AddHandoffOptions(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.Services.Any(d => d.ServiceType == typeof(IValidateOptions<HandoffOptions>)))
        {
            builder.Services.AddOptions<HandoffOptions>().BindConfiguration(HandoffOptions.SectionName).ValidateOnStart();
            builder.Services.AddSingleton<IValidateOptions<HandoffOptions>, HandoffOptionsValidator>();
        }

        return builder;
    }
}
