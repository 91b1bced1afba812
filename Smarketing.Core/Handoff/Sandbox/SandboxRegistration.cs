using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Smarketing.Core.Handoff.Sandbox;

/// <summary>Registers the sandbox CRM.</summary>
public static class SandboxRegistration
{
    /// <summary>
    /// Registers <see cref="SandboxCrmClient"/> as the keyed <see cref="ICrmClient"/> <c>Sandbox</c>. Its
    /// <see cref="ISandboxCrmStore"/> comes from the storage composition. No HTTP, so no resilience budget.
    /// </summary>
    public static IHostApplicationBuilder AddSandboxCrm(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<SandboxCrmClient>();
        builder.Services.AddKeyedSingleton<ICrmClient>(SandboxCrmClient.ProviderName, (sp, _) => sp.GetRequiredService<SandboxCrmClient>());
        return builder;
    }
}
