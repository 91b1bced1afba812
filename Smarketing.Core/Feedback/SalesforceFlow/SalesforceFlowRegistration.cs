using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Smarketing.Core.Feedback.SalesforceFlow;

/// <summary>The Flow callout format's registration.</summary>
public static class SalesforceFlowRegistration
{
    /// <summary>Its options, validated at start, and its reader.</summary>
    public static IHostApplicationBuilder AddSalesforceFlowFeedback(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SalesforceFlowOptions>().BindConfiguration(SalesforceFlowOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SalesforceFlowOptions>, SalesforceFlowOptionsValidator>());
        builder.Services.TryAddSingleton<SalesforceFlowReader>();
        return builder;
    }
}
