using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smarketing.Core.Handoff.Batch;

namespace Smarketing.Core.Handoff.Salesforce;

/// <summary>Registers the Salesforce CRM.</summary>
public static class SalesforceRegistration
{
    /// <summary>
    /// Registers <see cref="SalesforceOptions"/> (section <c>Crm:Salesforce</c>), the Salesforce HttpClient
    /// (token handler, API-limit handler, then the CRM resilience pipeline and the request budget), and <see cref="SalesforceCrmClient"/>
    /// as the keyed <see cref="ICrmClient"/> and the keyed <see cref="IBatchCrmClient"/> <c>Salesforce</c>, and
    /// <see cref="SalesforceBulkIngest"/> for batches of <c>Crm:Salesforce:BulkThreshold</c> leads or more.
    /// </summary>
    public static IHostApplicationBuilder AddSalesforceCrm(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<SalesforceOptions>().BindConfiguration(SalesforceOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SalesforceOptions>, SalesforceOptionsValidator>();

        // The token handler is outermost: it sees each call once, after the pipeline's retries, and the token
        // request it sends goes through the API-limit handler and the pipeline like any other request.
        services.AddCrmHttpClient(
            SalesforceCrmClient.HttpClientName,
            http => http
                .AddHttpMessageHandler(sp => new SalesforceTokenHandler(Options(sp), sp.GetRequiredService<ILogger<SalesforceTokenHandler>>()))
                .AddHttpMessageHandler(sp => new SalesforceApiLimitHandler(Options(sp), sp.GetRequiredService<SalesforceApiUsage>(), sp.GetRequiredService<ILogger<SalesforceApiLimitHandler>>())),
            SalesforceCrmClient.ProviderName);
        services.AddSingleton(sp => new SalesforceCrmClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(SalesforceCrmClient.HttpClientName),
            Options(sp),
            sp.GetRequiredService<ILogger<SalesforceCrmClient>>()));
        services.AddBudgetedCrmClient<SalesforceCrmClient>(SalesforceCrmClient.ProviderName);

        // The batched handoff of imports: the same client, answering per record over sObject Collections.
        services.AddKeyedSingleton<IBatchCrmClient>(SalesforceCrmClient.ProviderName, (sp, _) => sp.GetRequiredService<SalesforceCrmClient>());
        services.AddSingleton(sp => new SalesforceBulkIngest(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(SalesforceCrmClient.HttpClientName),
            Options(sp),
            sp.GetRequiredService<ILogger<SalesforceBulkIngest>>()));
        return builder;
    }

    private static SalesforceOptions Options(IServiceProvider services) =>
        services.GetRequiredService<IOptions<SalesforceOptions>>().Value;
}
