using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Smarketing.Core.Feedback.SalesforceOutbound;

/// <summary>The Outbound Message format's registration.</summary>
public static class SalesforceOutboundRegistration
{
    /// <summary>Its options, validated at start, and its reader.</summary>
    public static IHostApplicationBuilder AddSalesforceOutboundFeedback(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SalesforceOutboundOptions>().BindConfiguration(SalesforceOutboundOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SalesforceOutboundOptions>, SalesforceOutboundOptionsValidator>());
        builder.Services.TryAddSingleton<SalesforceOutboundReader>();
        return builder;
    }
}
