using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Smarketing.Core.Feedback.HubSpot;

/// <summary>The HubSpot workflow format's registration.</summary>
public static class HubSpotWorkflowRegistration
{
    /// <summary>Its options, validated at start, and its reader.</summary>
    public static IHostApplicationBuilder AddHubSpotWorkflowFeedback(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<HubSpotFeedbackOptions>().BindConfiguration(HubSpotFeedbackOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HubSpotFeedbackOptions>, HubSpotFeedbackOptionsValidator>());
        builder.Services.TryAddSingleton<HubSpotWorkflowReader>();
        return builder;
    }
}
