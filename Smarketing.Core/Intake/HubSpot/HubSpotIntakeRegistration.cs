using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Smarketing.Core.Intake.HubSpot;

/// <summary>The HubSpot source's registration.</summary>
public static class HubSpotIntakeRegistration
{
    /// <summary>The <c>Intake:HubSpot</c> options, validated at start, and the source.</summary>
    public static IHostApplicationBuilder AddHubSpotIntake(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<HubSpotSourceOptions>().BindConfiguration(HubSpotSourceOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HubSpotSourceOptions>, HubSpotSourceOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILeadSource, HubSpotLeadSource>());
        return builder;
    }
}
