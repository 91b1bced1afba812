using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Smarketing.Core.Handoff.HubSpot;

/// <summary>Registers the HubSpot CRM.</summary>
public static class HubSpotRegistration
{
    /// <summary>
    /// Registers <see cref="HubSpotOptions"/> (section <c>Crm:HubSpot</c>), the HubSpot HttpClient with the CRM
    /// resilience pipeline, and <see cref="HubSpotCrmClient"/> as the keyed <see cref="ICrmClient"/> <c>HubSpot</c>.
    /// </summary>
    public static IHostApplicationBuilder AddHubSpotCrm(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<HubSpotOptions>().BindConfiguration(HubSpotOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HubSpotOptions>, HubSpotOptionsValidator>();
        services.AddCrmHttpClient(HubSpotCrmClient.HttpClientName, budgetProvider: HubSpotCrmClient.ProviderName);
        services.AddSingleton(sp => new HubSpotCrmClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HubSpotCrmClient.HttpClientName),
            sp.GetRequiredService<IOptions<HubSpotOptions>>().Value,
            sp.GetRequiredService<ILogger<HubSpotCrmClient>>()));
        services.AddBudgetedCrmClient<HubSpotCrmClient>(HubSpotCrmClient.ProviderName);
        return builder;
    }
}
