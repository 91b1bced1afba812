using Microsoft.Extensions.DependencyInjection;

namespace Smarketing.Core.Handoff;

/// <summary>
/// The CRMs this app can call: every <see cref="ICrmClient"/> registered as a keyed service under a name. The
/// list is read from the registrations themselves, so a CRM registered after <c>AddCrm</c> (a test's, or a
/// new folder's) is as valid a <c>Crm:Provider</c> as the built-in ones.
/// </summary>
internal sealed class CrmProviders(IServiceCollection services)
{
    // Read at first use, when the container is built and the collection no longer changes.
    private readonly Lazy<IReadOnlyList<string>> _names = new(() =>
        [.. services
            .Where(d => d.IsKeyedService && d.ServiceType == typeof(ICrmClient) && d.ServiceKey is string)
            .Select(d => (string)d.ServiceKey!)
            .Distinct(StringComparer.OrdinalIgnoreCase)]);

    /// <summary>The registered names, in registration order.</summary>
    public IReadOnlyList<string> Names => _names.Value;

    /// <summary>The registered name that <paramref name="provider"/> means (case-insensitively), or null.</summary>
    public string? Find(string? provider) =>
        Names.FirstOrDefault(n => string.Equals(n, provider, StringComparison.OrdinalIgnoreCase));
}
