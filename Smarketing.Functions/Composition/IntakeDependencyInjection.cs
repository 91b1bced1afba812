using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Smarketing.Core.Handoff;
using Smarketing.Functions.Intake;

namespace Smarketing.Functions.Composition;

public static class IntakeDependencyInjection
{
    /// <summary>Webhook authentication and vendor mapping for ScoreLead, and the handoff reconciler.</summary>
    public static IHostApplicationBuilder AddSmarketingIntake(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<IntakeOptions>().BindConfiguration(IntakeOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<IntakeOptions>, IntakeOptionsValidator>();
        builder.Services.AddSingleton<WebhookIntake>();
        builder.Services.AddSingleton<HandoffReconciler>();
        return builder;
    }
}
