using Smarketing.Core.Handoff;
using Xunit;

namespace Smarketing.Tests.Crm;

public sealed class SensitiveTextTests
{
    [Theory]
    [InlineData("INVALID_EMAIL_ADDRESS: test@example.com is not valid", "INVALID_EMAIL_ADDRESS: [redacted] is not valid")]
    [InlineData("Phone 555-123-4567 refused", "Phone [redacted] refused")]
    [InlineData("Phone +15551234567 refused", "Phone [redacted] refused")]
    [InlineData("Phone (555) 123 4567 refused", "Phone [redacted] refused")]
    [InlineData("Field MQL_Score__c: value 80 too small", "Field MQL_Score__c: value 80 too small")]
    [InlineData("REQUEST_LIMIT_EXCEEDED at 2026", "REQUEST_LIMIT_EXCEEDED at 2026")]
    public void Redact_CrmErrorText_PersonalDataGoneOtherTextKept(string text, string expected)
    {
        Assert.Equal(expected, SensitiveText.Redact(text, "test@example.com", "555-123-4567"));
    }
}
