using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Smarketing.Core.Handoff;
using Smarketing.Core.Intake;
using Smarketing.Functions.Intake;

namespace Smarketing.Functions.Composition;

public static class IntakeDependencyInjection
{
    /// <summary>The lead sources of Core (options validated at start), their HTTP side for ScoreLead, and the handoff reconciler.</summary>
    public static IHostApplicationBuilder AddSmarketingIntake(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddIntake();
        builder.Services.AddSingleton<WebhookIntake>();
        builder.Services.AddSingleton<HandoffReconciler>();
        return builder;
    }
}
