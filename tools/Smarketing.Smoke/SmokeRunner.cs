using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Smarketing.Core.Intake.Generic;

namespace Smarketing.Smoke;

/// <summary>
/// Plays the article's story against a running Smarketing (local <c>func start</c> or a deployed app):
/// a qualifying lead is scored 80 and becomes an MQL, a re-sent webhook changes nothing, the handoff
/// reaches the CRM (SAL with an owner), bad input gets 400, and a disqualification with a reason is
/// recorded. Every step is printed; the first deviation stops the run.
/// </summary>
public sealed class SmokeRunner(HttpClient http, TextWriter output, TimeSpan handoffTimeout, string? webhookSecret = null, string? feedbackSecret = null)
{
    private int _step;

    /// <summary>Runs every step; returns true when all of them passed.</summary>
    public async Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        var leadId = "smoke-" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        try
        {
            var lead = ArticleLead(leadId);
            await Step("POST /api/leads with the article's lead → 202, score 80, MQL", async () =>
            {
                var json = await Send(HttpMethod.Post, "api/leads", lead, HttpStatusCode.Accepted, cancellationToken);
                Expect(json.GetProperty("score").GetInt32() == 80, $"score {json.GetProperty("score")} instead of 80");
                Expect(json.GetProperty("status").GetString() == "MQL", $"status {json.GetProperty("status")} instead of MQL");
                Expect(json.GetProperty("handoffEnqueued").GetBoolean(), "the handoff was not enqueued");
                return json;
            });

            await Step("POST the same webhook again → 202, duplicate, nothing enqueued", async () =>
            {
                var json = await Send(HttpMethod.Post, "api/leads", lead, HttpStatusCode.Accepted, cancellationToken);
                Expect(json.GetProperty("duplicate").GetBoolean(), "the re-sent lead was not recognised as a duplicate");
                Expect(!json.GetProperty("handoffEnqueued").GetBoolean(), "the re-sent lead was enqueued again");
                return json;
            });

            await Step("POST a lead without email → 400 naming 'email'", async () =>
            {
                var json = await Send(HttpMethod.Post, "api/leads", """{"id":"smoke-bad","phone":"555-0100"}""", HttpStatusCode.BadRequest, cancellationToken);
                Expect(json.GetProperty("errors").TryGetProperty("email", out _), "the problem details do not name 'email'");
                return json;
            });

            await Step($"GET /api/leads/{leadId} until the handoff made it SAL (at most {handoffTimeout.TotalSeconds:0} s)", async () =>
            {
                var watch = Stopwatch.StartNew();
                while (true)
                {
                    var json = await Send(HttpMethod.Get, $"api/leads/{Uri.EscapeDataString(leadId)}", null, HttpStatusCode.OK, cancellationToken);
                    if (json.GetProperty("status").GetString() == "SAL")
                    {
                        Expect(json.GetProperty("ownerId").ValueKind == JsonValueKind.String, "SAL without an owner");
                        Expect(json.GetProperty("crmId").ValueKind == JsonValueKind.String, "SAL without a CRM record id");
                        return json;
                    }

                    Expect(watch.Elapsed < handoffTimeout, $"still {json.GetProperty("status")} after {handoffTimeout.TotalSeconds:0} s (last handoff error: {json.GetProperty("lastHandoffError")})");
                    await Task.Delay(500, cancellationToken);
                }
            });

            await Step("POST /api/crm/feedback DISQUALIFIED without a reason code → 400", () =>
                Send(HttpMethod.Post, "api/crm/feedback", $$"""{"leadId":"{{leadId}}","status":"DISQUALIFIED"}""", HttpStatusCode.BadRequest, cancellationToken));

            await Step("POST /api/crm/feedback DISQUALIFIED with reason NOT_A_FIT → 200", () =>
                Send(HttpMethod.Post, "api/crm/feedback", $$"""{"leadId":"{{leadId}}","status":"DISQUALIFIED","reasonCode":"NOT_A_FIT","note":"smoke test"}""", HttpStatusCode.OK, cancellationToken));

            await Step("GET the lead → DISQUALIFIED, history NEW→MQL→SAL→DISQUALIFIED", async () =>
            {
                var json = await Send(HttpMethod.Get, $"api/leads/{Uri.EscapeDataString(leadId)}", null, HttpStatusCode.OK, cancellationToken);
                var moves = json.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("to").GetString()).ToList();
                Expect(string.Join(",", moves) == "MQL,SAL,DISQUALIFIED", $"history is {string.Join(",", moves)}");
                return json;
            });

            output.WriteLine($"PASS: all {_step} steps (lead {leadId})");
            return true;
        }
        catch (SmokeFailure failure)
        {
            output.WriteLine($"FAIL: {failure.Message}");
            return false;
        }
    }

    private async Task<JsonElement> Step(string title, Func<Task<JsonElement>> action)
    {
        _step++;
        output.Write($"[{_step}] {title} ... ");
        try
        {
            var result = await action();
            output.WriteLine("ok");
            return result;
        }
        catch (SmokeFailure)
        {
            output.WriteLine("FAILED");
            throw;
        }
        catch (HttpRequestException ex)
        {
            output.WriteLine("FAILED");
            throw new SmokeFailure($"step {_step}: {ex.Message}");
        }
    }

    private async Task<JsonElement> Send(HttpMethod method, string path, string? body, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            if (webhookSecret is not null && path.StartsWith("api/leads", StringComparison.Ordinal))
            {
                Sign(request, body, webhookSecret, "webhook");
            }
            else if (feedbackSecret is not null && path.StartsWith("api/crm/feedback", StringComparison.Ordinal))
            {
                Sign(request, body, feedbackSecret, "feedback");
            }
        }

        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Expect(response.StatusCode == expected, $"{method} {path} answered {(int)response.StatusCode} instead of {(int)expected}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    // Signed as the generic endpoints expect (Standard Webhooks); a re-sent lead keeps its webhook-id, as a vendor's retry does.
    private static void Sign(HttpRequestMessage request, string body, string secret, string which)
    {
        if (!StandardWebhooks.TryDecodeSecret(secret, out var key))
        {
            throw new SmokeFailure($"the {which} secret is not a Standard Webhooks secret (whsec_...)");
        }

        var id = "smoke_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(body)).AsSpan(0, 12));
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        request.Headers.Add(StandardWebhooks.IdHeader, id);
        request.Headers.Add(StandardWebhooks.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(StandardWebhooks.SignatureHeader, StandardWebhooks.Sign(key, id, timestamp, Encoding.UTF8.GetBytes(body)));
    }

    private void Expect(bool condition, string deviation)
    {
        if (!condition)
        {
            throw new SmokeFailure($"step {_step}: {deviation}");
        }
    }

    private static string ArticleLead(string id) => JsonSerializer.Serialize(new
    {
        id,
        email = $"{id}@example.com",
        phone = "555-123-4567",
        industry = "SaaS",
        companySize = 250,
        campaign = "smoke-test",
        source = "smoke",
        actions = new { viewedPricingPage = true, downloadedCaseStudy = true, contactedSupport = false },
    });

    private sealed class SmokeFailure(string message) : Exception(message);
}
