using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Smarketing.Core.Scoring;

/// <summary>Registers scoring with the host.</summary>
public static class ScoringRegistration
{
    /// <summary>
    /// Binds <see cref="ScoringOptions"/> from section <c>Scoring</c>, validated at start (a model that does not
    /// load stops the app with a message naming <c>Scoring:ModelPath</c>), and registers the <see cref="ScoringModel"/>.
    /// </summary>
    public static IHostApplicationBuilder AddScoring(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ScoringOptions>().BindConfiguration(ScoringOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ScoringOptions>, ScoringOptionsValidator>();
        services.AddSingleton(sp => ScoringModelSource.Load(sp.GetRequiredService<IOptions<ScoringOptions>>().Value));
        return builder;
    }
}
