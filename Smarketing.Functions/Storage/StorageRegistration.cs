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
using Smarketing.Core.Leads;

namespace Smarketing.Functions.Storage;

/// <summary>The storage account of the pipeline: the same one the Functions host uses.</summary>
public sealed class StorageOptions
{
    public const string ConnectionSetting = "AzureWebJobsStorage";

    public string? ConnectionString { get; set; }
}

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
        string.IsNullOrWhiteSpace(options.ConnectionString)
            ? ValidateOptionsResult.Fail($"Setting {StorageOptions.ConnectionSetting} is missing: set it to UseDevelopmentStorage=true for Azurite, or to a storage account's connection string.")
            : ValidateOptionsResult.Success;
}

/// <summary>The Azure storage adapters' registration.</summary>
public static class StorageRegistration
{
    /// <summary>
    /// The Table and Queue clients (once, through <c>Microsoft.Extensions.Azure</c>), the one <see cref="StorageLayout"/>
    /// of every table and queue (created at start), and every adapter behind Core's storage abstractions.
    /// </summary>
    public static IHostApplicationBuilder AddTableStorage(this IHostApplicationBuilder builder)
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

        services.AddOptions<HandoffQueueOptions>().BindConfiguration(HandoffQueueOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HandoffQueueOptions>, HandoffQueueOptionsValidator>();
        services.AddSingleton<StorageLayout>();
        services.AddHostedService<StorageInitializer>();
        services.AddSingleton<TableFunnelCounters>();
        services.AddSingleton<IFunnelCounterStore>(sp => sp.GetRequiredService<TableFunnelCounters>());
        services.AddSingleton<TableLeadLedger>();
        services.AddSingleton<ILeadLedger>(sp => sp.GetRequiredService<TableLeadLedger>());
        services.AddSingleton(sp => new FunnelCounterReconciler(
            sp.GetRequiredService<StorageLayout>(),
            sp.GetRequiredService<TableLeadLedger>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<FunnelCounterReconciler>>()));
        services.AddSingleton<IHandoffEnqueuer, QueueHandoffEnqueuer>();
        services.AddSingleton<IPendingHandoffIndex, TablePendingHandoffIndex>();
        services.AddSingleton<ICrmStateStore, TableCrmStateStore>();
        services.AddSingleton<Smarketing.Core.Handoff.Batch.ICrmRequestBudget, TableCrmRequestBudget>();
        services.AddSingleton<IOwnerAssigner, TableRoundRobinOwnerAssigner>();
        services.AddSingleton<ISandboxCrmStore, TableSandboxCrmStore>();
        services.AddSingleton<PoisonedHandoffStore>();
        services.AddSingleton<RefusedDeliveryStore>();
        services.AddSingleton<LeadEraser>();
        services.AddSingleton<RetentionSweeper>();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>();
        services.AddSingleton<IDisqualificationFeedbackStore, TableDisqualificationFeedbackStore>();
        services.AddSingleton<IFeedbackDeliveryLog, TableFeedbackDeliveryLog>();
        return builder;
    }
}
