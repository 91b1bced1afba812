using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Smarketing.Functions;

namespace Smarketing.HostStandIn;

/// <summary>The keys the stand-in checks, as the Functions host checks its function and master keys.</summary>
public sealed record FunctionKeys(string FunctionKey, string MasterKey);

/// <summary>
/// The HTTP routes of the real function classes, as the Functions host maps them (route prefix <c>api</c>), with
/// the host's key check: <c>AuthorizationLevel.Function</c> takes a function key or the master key,
/// <c>AuthorizationLevel.Admin</c> only the master key, each in <c>x-functions-key</c> or <c>?code=</c>.
/// Each request gets a new instance of its function class from the given services, as the worker creates them.
/// </summary>
public static class FunctionEndpoints
{
    public static void MapFunctions(this IEndpointRouteBuilder web, IServiceProvider services, FunctionKeys keys)
    {
        ArgumentNullException.ThrowIfNull(web);
        ArgumentNullException.ThrowIfNull(keys);
        T F<T>() => ActivatorUtilities.CreateInstance<T>(services);

        web.MapPost("/api/leads/{source?}", Function(keys, c => F<ScoreLead>().Run(c.Request, c.GetRouteValue("source") as string, c.RequestAborted)));
        web.MapGet("/api/leads/{leadId}", Function(keys, c => F<GetLead>().Run(c.Request, (string)c.GetRouteValue("leadId")!, c.RequestAborted)));
        web.MapDelete("/api/leads/{leadId}", Admin(keys, c => F<EraseLead>().Run(c.Request, (string)c.GetRouteValue("leadId")!, c.RequestAborted)));
        web.MapGet("/api/leads/{leadId}/history", Function(keys, c => F<GetLeadHistory>().Run(c.Request, (string)c.GetRouteValue("leadId")!, c.RequestAborted)));
        web.MapPost("/api/crm/feedback", Function(keys, c => F<RecordCrmFeedback>().Run(c.Request, c.RequestAborted)));
        web.MapPost("/api/crm/feedback/salesforce-outbound", Function(keys, c => F<RecordSalesforceOutboundMessage>().Run(c.Request, c.RequestAborted)));
        web.MapPost("/api/crm/feedback/salesforce-flow", Function(keys, c => F<RecordSalesforceFlowFeedback>().Run(c.Request, c.RequestAborted)));
        web.MapPost("/api/crm/feedback/hubspot", Function(keys, c => F<RecordHubSpotFeedback>().Run(c.Request, c.RequestAborted)));
        web.MapGet("/api/feedback/summary", Function(keys, c => F<GetFeedbackSummary>().Run(c.Request, c.RequestAborted)));
        web.MapGet("/api/feedback/export", Function(keys, c => F<ExportFeedback>().Run(c.Request, c.RequestAborted)));
        web.MapGet("/api/handoffs/status", Function(keys, c => F<GetHandoffStatus>().Run(c.Request, c.RequestAborted)));
        web.MapGet("/api/handoffs/poison", Admin(keys, c => F<ListPoisonedHandoffs>().Run(c.Request, c.RequestAborted)));
        web.MapPost("/api/handoffs/poison/replay", Admin(keys, c => F<ReplayPoisonedHandoffs>().Run(c.Request, c.RequestAborted)));
    }

    private static RequestDelegate Function(FunctionKeys keys, Func<HttpContext, Task<IActionResult>> function) =>
        context => InvokeAsync(context, Presented(context) is { } key && (key == keys.FunctionKey || key == keys.MasterKey), function);

    private static RequestDelegate Admin(FunctionKeys keys, Func<HttpContext, Task<IActionResult>> function) =>
        context => InvokeAsync(context, Presented(context) == keys.MasterKey, function);

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
