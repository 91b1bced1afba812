using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Smarketing.Core.Handoff.Batch;
using Smarketing.Core.Handoff.HubSpot;
using Smarketing.Core.Handoff.Salesforce;
using Smarketing.Core.Handoff.Sandbox;

namespace Smarketing.Core.Handoff;

/// <summary>The CRM side of the handoff: its options, owner routing, and one line per CRM.</summary>
public static class CrmRegistration
{
    /// <summary>
    /// Registers <see cref="CrmOptions"/>, owner routing and every CRM, each as a keyed <see cref="ICrmClient"/>
    /// under its provider name; the unkeyed <see cref="ICrmClient"/> is the one <c>Crm:Provider</c> names.
    /// </summary>
    public static IHostApplicationBuilder AddCrm(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<CrmOptions>().BindConfiguration(CrmOptions.SectionName).ValidateOnStart();
        services.TryAddSingleton(new CrmProviders(services));
        services.AddSingleton<IValidateOptions<CrmOptions>, CrmOptionsValidator>();

        services.AddOptions<RoutingOptions>().BindConfiguration(RoutingOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RoutingOptions>, RoutingOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RoutingOptions>>().Value.ToRouting());

        // Retry waits and timeouts are real waits on a real network: they get their own clock, so a test
        // that freezes the app's clock for ledger timestamps doesn't freeze the CRM's backoff too.
        services.TryAddKeyedSingleton(CrmResilience.PipelineName, TimeProvider.System);

        // The request budget's windows and the org limit Salesforce reports; the shared budget itself is storage, registered
        // by the host (without it, as in a composition of the CRM layer alone, every request is granted).
        services.AddOptions<CrmBudgetOptions>().BindConfiguration(CrmBudgetOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CrmBudgetOptions>, CrmBudgetOptionsValidator>();
        services.TryAddSingleton<SalesforceApiUsage>();
        services.TryAddSingleton<CrmBudgetLimits>();
        services.TryAddSingleton<ICrmRequestBudget, UnlimitedCrmRequestBudget>();
        services.TryAddSingleton(TimeProvider.System);

        builder.AddSandboxCrm();
        builder.AddSalesforceCrm();
        builder.AddHubSpotCrm();

        Batch.BatchRegistration.AddBatchCrm(services);
        services.AddSingleton<ICrmClient>(sp =>
        {
            var provider = sp.GetRequiredService<IOptions<CrmOptions>>().Value.Provider;
            var name = sp.GetRequiredService<CrmProviders>().Find(provider)
                ?? throw new InvalidOperationException($"Setting {CrmOptions.ProviderSetting} is '{provider}', which names no registered CRM.");
            return sp.GetRequiredKeyedService<ICrmClient>(name);
        });
        return builder;
    }

    /// <summary>
    /// Registers the CRM client <typeparamref name="TClient"/> (already registered as a singleton) as the keyed
    /// <see cref="ICrmClient"/> <paramref name="provider"/>, held to <c>Crm:Resilience:TotalTimeout</c> per handoff.
    /// </summary>
    public static IServiceCollection AddBudgetedCrmClient<TClient>(this IServiceCollection services, string provider)
        where TClient : ICrmClient
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddKeyedSingleton<ICrmClient>(provider, (sp, _) => new BudgetedCrmClient(
            sp.GetRequiredService<TClient>(),
            sp.GetRequiredService<IOptions<CrmOptions>>().Value.Resilience.TotalTimeout,
            sp.GetRequiredKeyedService<TimeProvider>(CrmResilience.PipelineName)));
    }
}
