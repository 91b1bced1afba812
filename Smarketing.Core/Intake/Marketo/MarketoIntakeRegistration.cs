using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Smarketing.Core.Intake.Marketo;

/// <summary>The Marketo source's registration.</summary>
public static class MarketoIntakeRegistration
{
    /// <summary>The <c>Intake:Marketo</c> options, validated at start, and the source.</summary>
    public static IHostApplicationBuilder AddMarketoIntake(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<MarketoSourceOptions>().BindConfiguration(MarketoSourceOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MarketoSourceOptions>, MarketoSourceOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILeadSource, MarketoLeadSource>());
        return builder;
    }
}
