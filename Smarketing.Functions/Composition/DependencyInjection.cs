using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Smarketing.Core.Crm;
using Smarketing.Core.Lifecycle;
using Smarketing.Core.Pipeline;
using Smarketing.Core.Storage;
using Smarketing.Functions.Crm;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions.Composition;

/// <summary>The composition root, one extension method per layer; Program.cs and the tests both call <see cref="AddSmarketing"/>.</summary>
public static class DependencyInjection
{
    public static IHostApplicationBuilder AddSmarketing(this IHostApplicationBuilder builder) =>
        builder.AddSmarketingDomain().AddSmarketingIntake().AddSmarketingStorage().AddSmarketingCrm();

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

    /// <summary>The configured CRM client and owner routing.</summary>
    public static IHostApplicationBuilder AddSmarketingCrm(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<CrmOptions>().BindConfiguration(CrmOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CrmOptions>, CrmOptionsValidator>();
        services.AddOptions<RoutingOptions>().BindConfiguration(RoutingOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RoutingOptions>, RoutingOptionsValidator>();

        services.AddSingleton<SandboxCrmClient>();
        services.AddSingleton<ICrmClient>(sp => sp.GetRequiredService<SandboxCrmClient>());
        services.AddSingleton<IOwnerAssigner, TableRoundRobinOwnerAssigner>();
        return builder;
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
