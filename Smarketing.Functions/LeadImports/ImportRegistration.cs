using Azure.Storage.Blobs;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions.LeadImports;

/// <summary>The bulk import's registration.</summary>
public static class ImportRegistration
{
    /// <summary>
    /// <see cref="ImportOptions"/> (section <c>Imports</c>), the Blob client of the storage account (through
    /// <c>Microsoft.Extensions.Azure</c>, like the Table and Queue clients), <see cref="ImportStore"/> (its container,
    /// tables and queues created at start), <see cref="ImportProcessor"/> and <see cref="BatchHandoff"/>.
    /// </summary>
    public static IHostApplicationBuilder AddImports(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ImportOptions>, ImportOptionsValidator>();
        services.AddAzureClients(clients => clients.AddClient<BlobServiceClient, BlobClientOptions>((options, sp) =>
            new BlobServiceClient(sp.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString, options)));
        services.AddSingleton<ImportStore>();
        services.AddHostedService<ImportStoreInitializer>();
        services.AddSingleton<ImportProcessor>();
        services.AddSingleton<BatchHandoff>();
        services.AddSingleton<BulkHandoff>();
        services.AddHostedService<BulkHandoffInitializer>();
        return builder;
    }
}

/// <summary>Creates the import container, tables and queues at start.</summary>
internal sealed class ImportStoreInitializer(ImportStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.EnsureCreatedAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
