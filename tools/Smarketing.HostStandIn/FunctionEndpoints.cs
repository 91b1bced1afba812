using System.Collections.Immutable;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Smarketing.Functions;

namespace Smarketing.HostStandIn;

/// <summary>
/// The keys the stand-in checks, as the Functions host checks them: <paramref name="HostKey"/> (the host's
/// <c>default</c> host key) and any of <see cref="MoreHostKeys"/> open every function; a named function key
/// (<see cref="WithFunctionKey"/>, as <c>az functionapp function keys set</c> creates) opens only its own function;
/// <paramref name="MasterKey"/> opens every function and is the only key for <c>AuthorizationLevel.Admin</c>.
/// </summary>
public sealed record FunctionKeys(string HostKey, string MasterKey)
{
    /// <summary>Host keys besides <see cref="HostKey"/> (<c>az functionapp keys set --key-type functionKeys</c>).</summary>
    public ImmutableArray<string> MoreHostKeys { get; init; } = [];

    /// <summary>The named function keys, by function name (the name in <c>[Function(...)]</c>).</summary>
    public ImmutableDictionary<string, ImmutableArray<string>> FunctionScoped { get; init; } =
        ImmutableDictionary.Create<string, ImmutableArray<string>>(StringComparer.OrdinalIgnoreCase);

    /// <summary>These keys with one more named key of <paramref name="function"/>.</summary>
    public FunctionKeys WithFunctionKey(string function, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(function);
        ArgumentException.ThrowIfNullOrEmpty(key);
        return this with { FunctionScoped = FunctionScoped.SetItem(function, FunctionScoped.GetValueOrDefault(function, []).Add(key)) };
    }

    /// <summary>Whether <paramref name="presented"/> opens <paramref name="function"/> at <paramref name="level"/>, as the host decides.</summary>
    public bool Opens(string function, AuthorizationLevel level, string? presented)
    {
        if (level == AuthorizationLevel.Anonymous)
        {
            return true;
        }

        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        if (presented == MasterKey)
        {
            return true;
        }

        return level == AuthorizationLevel.Function
            && (presented == HostKey || MoreHostKeys.Contains(presented) || FunctionScoped.GetValueOrDefault(function, []).Contains(presented));
    }
}

/// <summary>
/// The HTTP routes of the real function classes, as the Functions host maps them (route prefix <c>api</c>), with
/// the host's key check (<see cref="FunctionKeys.Opens"/>), the key in <c>x-functions-key</c> or <c>?code=</c>.
/// Each request gets a new instance of its function class from the given services, as the worker creates them.
/// </summary>
public static class FunctionEndpoints
{
    public static void MapFunctions(this IEndpointRouteBuilder web, IServiceProvider services, FunctionKeys keys)
    {
        ArgumentNullException.ThrowIfNull(web);
        ArgumentNullException.ThrowIfNull(keys);
        T F<T>() => ActivatorUtilities.CreateInstance<T>(services);
        const AuthorizationLevel Function = AuthorizationLevel.Function, Admin = AuthorizationLevel.Admin;

        web.MapPost("/api/leads/{source?}", Guard(keys, nameof(ScoreLead), Function, c => F<ScoreLead>().Run(c.Request, c.GetRouteValue("source") as string, c.RequestAborted)));
        web.MapGet("/api/leads/{leadId}", Guard(keys, nameof(GetLead), Function, c => F<GetLead>().Run(c.Request, (string)c.GetRouteValue("leadId")!, c.RequestAborted)));
        web.MapDelete("/api/leads/{leadId}", Guard(keys, nameof(EraseLead), Admin, c => F<EraseLead>().Run(c.Request, (string)c.GetRouteValue("leadId")!, c.RequestAborted)));
        web.MapPost("/api/erasures", Guard(keys, "ErasePerson", Admin, c => F<EraseLead>().RunByAddress(c.Request, c.RequestAborted)));
        web.MapGet("/api/leads/{leadId}/history", Guard(keys, nameof(GetLeadHistory), Function, c => F<GetLeadHistory>().Run(c.Request, (string)c.GetRouteValue("leadId")!, c.RequestAborted)));
        web.MapPost("/api/crm/feedback", Guard(keys, nameof(RecordCrmFeedback), Function, c => F<RecordCrmFeedback>().Run(c.Request, c.RequestAborted)));
        web.MapPost("/api/crm/feedback/salesforce-outbound", Guard(keys, nameof(RecordSalesforceOutboundMessage), Function, c => F<RecordSalesforceOutboundMessage>().Run(c.Request, c.RequestAborted)));
        web.MapPost("/api/crm/feedback/salesforce-flow", Guard(keys, nameof(RecordSalesforceFlowFeedback), Function, c => F<RecordSalesforceFlowFeedback>().Run(c.Request, c.RequestAborted)));
        web.MapPost("/api/crm/feedback/hubspot", Guard(keys, nameof(RecordHubSpotFeedback), Function, c => F<RecordHubSpotFeedback>().Run(c.Request, c.RequestAborted)));
        web.MapGet("/api/feedback/summary", Guard(keys, nameof(GetFeedbackSummary), Function, c => F<GetFeedbackSummary>().Run(c.Request, c.RequestAborted)));
        web.MapGet("/api/feedback/export", Guard(keys, nameof(ExportFeedback), Function, c => F<ExportFeedback>().Run(c.Request, c.RequestAborted)));
        web.MapGet("/api/handoffs/status", Guard(keys, nameof(GetHandoffStatus), Function, c => F<GetHandoffStatus>().Run(c.Request, c.RequestAborted)));
        web.MapGet("/api/handoffs/poison", Guard(keys, nameof(ListPoisonedHandoffs), Admin, c => F<ListPoisonedHandoffs>().Run(c.Request, c.RequestAborted)));
        web.MapPost("/api/imports", Guard(keys, nameof(SubmitImport), Function, c =>
        {
            // The platform takes request bodies up to 100 MB; the app's own cap (Imports:MaxBytes) answers 413 beyond it.
            if (c.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = 100L * 1024 * 1024;
            }

            return F<SubmitImport>().Run(c.Request, c.RequestAborted);
        }));
        web.MapGet("/api/imports/{importId}", Guard(keys, nameof(GetImport), Function, c => F<GetImport>().Run(c.Request, (string)c.GetRouteValue("importId")!, c.RequestAborted)));
        web.MapGet("/api/imports/{importId}/rejected", Guard(keys, "GetImportRejections", Function, c => F<GetImport>().Rejected(c.Request, (string)c.GetRouteValue("importId")!, c.RequestAborted)));
        web.MapPost("/api/handoffs/poison/replay", Guard(keys, nameof(ReplayPoisonedHandoffs), Admin, c => F<ReplayPoisonedHandoffs>().Run(c.Request, c.RequestAborted)));
    }

    private static RequestDelegate Guard(FunctionKeys keys, string function, AuthorizationLevel level, Func<HttpContext, Task<IActionResult>> run) =>
        context => InvokeAsync(context, keys.Opens(function, level, Presented(context)), run);

    // The host reads the header first, then the query string.
    private static string? Presented(HttpContext context) =>
        context.Request.Headers["x-functions-key"].FirstOrDefault() ?? context.Request.Query["code"].FirstOrDefault();

    private static async Task InvokeAsync(HttpContext context, bool authorized, Func<HttpContext, Task<IActionResult>> function)
    {
        if (!authorized)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var result = await function(context);
        await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
    }
}
