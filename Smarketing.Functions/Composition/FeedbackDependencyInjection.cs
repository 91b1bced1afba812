using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Smarketing.Core.Feedback;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions.Composition;

/// <summary>The feedback loop's layer of the composition root.</summary>
public static class FeedbackDependencyInjection
{
    /// <summary>
    /// The feedback formats of Core (options validated at start) with their intake and read side, and the tables behind
    /// them. Needs the domain and storage layers (<c>AddSmarketingDomain</c>, <c>AddSmarketingStorage</c>).
    /// </summary>
    public static IHostApplicationBuilder AddSmarketingFeedback(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddFeedback();

        var services = builder.Services;
        services.AddSingleton<FeedbackTables>();
        services.AddHostedService<FeedbackStorageInitializer>();
        services.AddSingleton<IFeedbackDeliveryLog, TableFeedbackDeliveryLog>();
        services.AddSingleton<ILeadFunnelReader, TableLeadFunnelReader>();
        return builder;
    }
}
