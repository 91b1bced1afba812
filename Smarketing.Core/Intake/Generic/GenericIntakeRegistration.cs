using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Smarketing.Core.Intake.Generic;

/// <summary>The generic source's registration.</summary>
public static class GenericIntakeRegistration
{
    /// <summary>The <c>Intake:Generic</c> options, validated at start, and the source.</summary>
    public static IHostApplicationBuilder AddGenericIntake(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<GenericSourceOptions>().BindConfiguration(GenericSourceOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GenericSourceOptions>, GenericSourceOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILeadSource, GenericLeadSource>());
        return builder;
    }
}
