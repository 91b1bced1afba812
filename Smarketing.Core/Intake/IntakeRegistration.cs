using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Smarketing.Core.Contracts;
using Smarketing.Core.Handoff;
using Smarketing.Core.Intake.Generic;
using Smarketing.Core.Intake.HubSpot;
using Smarketing.Core.Intake.Marketo;

namespace Smarketing.Core.Intake;

/// <summary>The intake feature's registration.</summary>
public static class IntakeRegistration
{
    /// <summary><see cref="LeadIntake"/> and every lead source, each with its options validated at start.</summary>
    public static IHostApplicationBuilder AddIntake(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<LeadIntake>();
        LeadIds.Register(builder.Services);
        builder.AddHandoffOptions();

        // The first source registered answers a delivery that names none.
        builder.AddGenericIntake();
        builder.AddHubSpotIntake();
        builder.AddMarketoIntake();
        return builder;
    }
}
