using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Smarketing.Core.Handoff.Batch;

/// <summary>Registers the batch side of the CRM.</summary>
public static class BatchRegistration
{
    /// <summary>
    /// The unkeyed <see cref="IBatchCrmClient"/>: the keyed one of the CRM <c>Crm:Provider</c> names, or, for a CRM without a
    /// batch API, <see cref="OneByOneBatchCrmClient"/> over its one-lead client.
    /// </summary>
    public static IServiceCollection AddBatchCrm(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<IBatchCrmClient>(sp =>
        {
            var provider = sp.GetRequiredService<IOptions<CrmOptions>>().Value.Provider;
            var name = sp.GetRequiredService<CrmProviders>().Find(provider);
            return (name is null ? null : sp.GetKeyedService<IBatchCrmClient>(name))
                ?? new OneByOneBatchCrmClient(sp.GetRequiredService<ICrmClient>());
        });
        return services;
    }
}
