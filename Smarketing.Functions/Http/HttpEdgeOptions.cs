using Microsoft.Extensions.Options;

namespace Smarketing.Functions.Http;

/// <summary>The HTTP edge (section <c>Http</c>): which forwarded headers are believed.</summary>
public sealed class HttpEdgeOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Http";

    /// <summary>The most proxies that may be declared.</summary>
    public const int MaxTrustedProxyHops = 5;

    /// <summary>
    /// How many proxies of the deployment's own stand in front of the app and append to <c>X-Forwarded-Host</c> and
    /// <c>X-Forwarded-Proto</c>. 0 (the default): those headers are ignored. N: only the N right-most values are theirs; the
    /// left-most of those (written by the outermost proxy) is the host and scheme the vendor called, and anything a client
    /// wrote further left is ignored.
    /// </summary>
    public int TrustedProxyHops { get; set; }
}

internal sealed class HttpEdgeOptionsValidator : IValidateOptions<HttpEdgeOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpEdgeOptions options) =>
        options.TrustedProxyHops is < 0 or > HttpEdgeOptions.MaxTrustedProxyHops
            ? ValidateOptionsResult.Fail($"Setting Http:TrustedProxyHops must be between 0 and {HttpEdgeOptions.MaxTrustedProxyHops}; it is {options.TrustedProxyHops}.")
            : ValidateOptionsResult.Success;
}
