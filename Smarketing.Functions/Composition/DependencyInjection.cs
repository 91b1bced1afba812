using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Smarketing.Core.Feedback;
using Smarketing.Core.Handoff;
using Smarketing.Core.Handoff.Sandbox;
using Smarketing.Core.Intake;
using Smarketing.Core.Leads;
using Smarketing.Core.Scoring;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions.Composition;

/// <summary>The composition root, one extension method per layer; Program.cs and the tests both call <see cref="AddSmarketing"/>.</summary>
public static class DependencyInjection
{
    public static IHostApplicationBuilder AddSmarketing(this IHostApplicationBuilder builder) =>
        builder.AddSmarketingDomain().AddSmarketingIntake().AddSmarketingStorage().AddSmarketingCrm().AddSmarketingFeedback();

    /// <summary>Scoring model, lifecycle policy (<see cref="LeadsRegistration.AddLeads"/>), clock and the pipeline services of Core.</summary>
    public static IHostApplicationBuilder AddSmarketingDomain(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddLeads();
        var services = builder.Services;
        builder.AddScoring();

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
        services.AddSingleton<ISandboxCrmStore, TableSandboxCrmStore>();
        return builder;
    }

    /// <summary>
    /// The CRMs (each behind its own HttpClient and resilience pipeline; the one <c>Crm:Provider</c> names is
    /// the <see cref="ICrmClient"/>), owner routing with its round-robin cursor, and the poison queue of
    /// refused handoffs.
    /// </summary>
    public static IHostApplicationBuilder AddSmarketingCrm(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddCrm();
        builder.Services.AddSingleton<IOwnerAssigner, TableRoundRobinOwnerAssigner>();
        builder.Services.AddSingleton<PoisonedHandoffStore>();
        return builder;
    }
}
