using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

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
        builder.Services.TryAddSingleton<MqlHandoff>();
        builder.Services.TryAddSingleton<CrmCircuit>();
        builder.Services.TryAddSingleton<HandoffReconciler>();
        return builder;
    }
}
