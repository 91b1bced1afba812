using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smarketing.Core.Feedback;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.HubSpot;
using Smarketing.Core.Handoff.Salesforce;
using Smarketing.Core.Intake;
using Smarketing.Core.Leads;
using Smarketing.Functions.Crm;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions.Composition;

/// <summary>The composition root, one extension method per layer; Program.cs and the tests both call <see cref="AddSmarketing"/>.</summary>
public static class DependencyInjection
{
    public static IHostApplicationBuilder AddSmarketing(this IHostApplicationBuilder builder) =>
        builder.AddSmarketingDomain().AddSmarketingIntake().AddSmarketingStorage().AddSmarketingCrm().AddSmarketingFeedback();

    /// <summary>Scoring model, lifecycle policy, clock and the pipeline services of Core.</summary>
    public static IHostApplicationBuilder AddSmarketingDomain(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingletonTimeProvider();

        services.AddOptions<ScoringOptions>().BindConfiguration(ScoringOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ScoringOptions>, ScoringOptionsValidator>();
        services.AddSingleton(sp => ScoringModelSource.Load(sp.GetRequiredService<IOptions<ScoringOptions>>().Value));

        services.AddOptions<LifecycleOptions>()
            .BindConfiguration(LifecycleOptions.SectionName)
            .PostConfigure(options =>
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
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<LifecycleOptions>, LifecycleOptionsValidator>();
        services.AddSingleton(sp => new LifecyclePolicy(sp.GetRequiredService<IOptions<LifecycleOptions>>().Value, sp.GetRequiredService<TimeProvider>()));

        services.AddSingleton<LeadIntake>();
        services.AddSingleton<MqlHandoff>();
        services.AddSingleton<FeedbackRecorder>();
        return builder;
    }

    /// <summary>Azure Table and Queue clients and the storage adapters of the ledger, queue and feedback table.</summary>
    public static IHostApplicationBuilder AddSmarketingStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<StorageOptions>()
            .Configure<IConfiguration>((options, configuration) =>
                options.ConnectionString ??= configuration[StorageOptions.ConnectionSetting])
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();

        services.AddAzureClients(clients =>
        {
            clients.AddClient<TableServiceClient, TableClientOptions>((options, sp) =>
                new TableServiceClient(sp.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString, options));

            // The queue trigger reads base64, so everything this code writes to a queue is base64 too.
            clients.AddClient<QueueServiceClient, QueueClientOptions>((options, sp) =>
            {
                options.MessageEncoding = QueueMessageEncoding.Base64;
                return new QueueServiceClient(sp.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString, options);
            });
        });

        services.AddSingleton<StorageLayout>();
        services.AddHostedService<StorageInitializer>();
        services.AddSingleton<ILeadLedger, TableLeadLedger>();
        services.AddSingleton<IHandoffEnqueuer, QueueHandoffEnqueuer>();
        services.AddSingleton<IDisqualificationFeedbackStore, TableDisqualificationFeedbackStore>();
        return builder;
    }

    /// <summary>
    /// The configured CRM client (Sandbox, Salesforce or HubSpot, each behind its own HttpClient and resilience
    /// pipeline), owner routing, and the poison queue of refused handoffs.
    /// </summary>
    public static IHostApplicationBuilder AddSmarketingCrm(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<CrmOptions>().BindConfiguration(CrmOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CrmOptions>, CrmOptionsValidator>();
        services.AddOptions<RoutingOptions>().BindConfiguration(RoutingOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RoutingOptions>, RoutingOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RoutingOptions>>().Value.ToRouting());

        // Retry waits and timeouts are real waits on a real network: they get their own clock, so a test
        // that freezes the app's clock for ledger timestamps doesn't freeze the CRM's backoff too.
        services.TryAddKeyedSingleton(CrmResilience.PipelineName, TimeProvider.System);
        AddCrmHttpClient(services, SalesforceCrmClient.HttpClientName);
        AddCrmHttpClient(services, HubSpotCrmClient.HttpClientName);

        services.AddSingleton<SandboxCrmClient>();
        services.AddSingleton(sp => new SalesforceCrmClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(SalesforceCrmClient.HttpClientName),
            sp.GetRequiredService<IOptions<CrmOptions>>().Value.Salesforce,
            sp.GetRequiredService<ILogger<SalesforceCrmClient>>()));
        services.AddSingleton(sp => new HubSpotCrmClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HubSpotCrmClient.HttpClientName),
            sp.GetRequiredService<IOptions<CrmOptions>>().Value.HubSpot,
            sp.GetRequiredService<ILogger<HubSpotCrmClient>>()));
        services.AddSingleton<ICrmClient>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CrmOptions>>().Value;
            return options.ProviderKind switch
            {
                CrmProvider.Salesforce => new BudgetedCrmClient(sp.GetRequiredService<SalesforceCrmClient>(), options.Resilience.TotalTimeout, sp.GetRequiredKeyedService<TimeProvider>(CrmResilience.PipelineName)),
                CrmProvider.HubSpot => new BudgetedCrmClient(sp.GetRequiredService<HubSpotCrmClient>(), options.Resilience.TotalTimeout, sp.GetRequiredKeyedService<TimeProvider>(CrmResilience.PipelineName)),
                _ => sp.GetRequiredService<SandboxCrmClient>(),
            };
        });

        services.AddSingleton<IOwnerAssigner, TableRoundRobinOwnerAssigner>();
        services.AddSingleton<PoisonedHandoffStore>();
        return builder;
    }

    private static void AddCrmHttpClient(IServiceCollection services, string name) =>
        services.AddHttpClient(name, client => client.Timeout = Timeout.InfiniteTimeSpan)

            // The CRM clients are singletons (they hold the token cache), so their HttpClient lives as long as
            // the app: connections are recycled by the handler, which still sees DNS changes.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddResilienceHandler(CrmResilience.PipelineName, (pipeline, context) =>
            {
                pipeline.TimeProvider = context.ServiceProvider.GetRequiredKeyedService<TimeProvider>(CrmResilience.PipelineName);
                CrmResilience.Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptions<CrmOptions>>().Value.Resilience);
            });

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
