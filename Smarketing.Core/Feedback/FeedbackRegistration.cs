using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Smarketing.Core.Feedback.Generic;
using Smarketing.Core.Feedback.HubSpot;
using Smarketing.Core.Feedback.SalesforceFlow;
using Smarketing.Core.Feedback.SalesforceOutbound;

namespace Smarketing.Core.Feedback;

/// <summary>The feedback feature's registration.</summary>
public static class FeedbackRegistration
{
    /// <summary>
    /// Every feedback format (its options validated at start and its reader), the intake that records their items, and
    /// the summary and export read side. Storage (<see cref="IFeedbackDeliveryLog"/>, <see cref="IFunnelCounterStore"/>,
    /// <see cref="IDisqualificationFeedbackStore"/>) is registered by the host.
    /// </summary>
    public static IHostApplicationBuilder AddFeedback(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        services.AddOptions<GenericFeedbackOptions>().BindConfiguration(GenericFeedbackOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GenericFeedbackOptions>, GenericFeedbackOptionsValidator>());
        builder.AddSalesforceOutboundFeedback();
        builder.AddSalesforceFlowFeedback();
        builder.AddHubSpotWorkflowFeedback();

        services.AddOptions<FeedbackSummaryOptions>().BindConfiguration(FeedbackSummaryOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FeedbackSummaryOptions>, FeedbackSummaryOptionsValidator>());
        services.TryAddSingleton<FeedbackRecorder>();
        services.TryAddSingleton<FeedbackIntake>();
        Contracts.LeadIds.Register(services);
        services.TryAddSingleton<FeedbackAnalytics>();
        return builder;
    }
}
