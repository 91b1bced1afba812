using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Smarketing.Core.Feedback;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions.Feedback;

/// <summary>The feedback loop's layer of the composition root.</summary>
public static class FeedbackComposition
{
    /// <summary>
    /// Feedback options (validated at start), the feedback formats' intake with its delivery log, and the summary and
    /// export read side. Needs the domain and storage layers (<c>AddSmarketingDomain</c>, <c>AddSmarketingStorage</c>).
    /// </summary>
    public static IHostApplicationBuilder AddSmarketingFeedback(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<FeedbackOptions>().BindConfiguration(FeedbackOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FeedbackOptions>, FeedbackOptionsValidator>();
        services.AddSingleton<FeedbackSettings>();

        services.AddSingleton<FeedbackTables>();
        services.AddHostedService<FeedbackStorageInitializer>();
        services.AddSingleton<IFeedbackDeliveryLog, TableFeedbackDeliveryLog>();
        services.AddSingleton<ILeadFunnelReader, TableLeadFunnelReader>();

        services.AddSingleton<FeedbackIntake>();
        services.AddSingleton<FeedbackAnalytics>();
        return builder;
    }
}
