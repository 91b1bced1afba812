using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smarketing.Core.Feedback;
using Smarketing.Core.Handoff;
using Smarketing.Core.Intake;
using Smarketing.Core.Leads;
using Smarketing.Core.Scoring;
using Smarketing.Functions.Http;
using Smarketing.Functions.LeadImports;
using Smarketing.Functions.Intake;
using Smarketing.Functions.Storage;

namespace Smarketing.Functions.Composition;

/// <summary>The composition root; Program.cs and the tests both call <see cref="AddSmarketing"/>.</summary>
public static class DependencyInjection
{
    /// <summary>
    /// Every feature of Core (each registers its options, validators and services), the Azure storage adapters behind
    /// their abstractions, and what the HTTP functions need beyond Core.
    /// </summary>
    public static IHostApplicationBuilder AddSmarketing(this IHostApplicationBuilder builder) =>
        builder
            .AddLeads()
            .AddScoring()
            .AddIntake()
            .AddHandoff()
            .AddFeedback()
            .AddTableStorage()
            .AddImports()
            .AddHttpEdge();

    /// <summary>The category of ASP.NET Core's per-request log lines, which the app keeps below Information.</summary>
    public const string RequestLogCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>The HTTP side of the webhook intake: authenticating deliveries and mapping them through the registered sources.</summary>
    public static IHostApplicationBuilder AddHttpEdge(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<WebhookIntake>();
        builder.Services.AddSingleton<Feedback.SummaryConcurrency>();
        builder.Services.AddOptions<HttpEdgeOptions>().BindConfiguration(HttpEdgeOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HttpEdgeOptions>, HttpEdgeOptionsValidator>();

        // ASP.NET Core's request start and end lines quote the URL with its query string, where a caller may have put its
        // function key (?code=) or a Salesforce Outbound Message secret (?token=); the host logs every invocation anyway.
        builder.Logging.AddFilter(RequestLogCategory, LogLevel.Warning);
        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        builder.Services.AddSingleton<AdminAccess>();
        builder.Services.AddOptions<DeploymentSafety>().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DeploymentSafety>, DeploymentSafetyValidator>();
        return builder;
    }
}
