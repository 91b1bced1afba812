using System.Globalization;
using System.Security;
using System.Text;

namespace Smarketing.Tests.Feedback;

/// <summary>One Lead notification of an Outbound Message, with the fields the outbound message sends.</summary>
internal sealed record LeadNotification(
    string Id,
    string LeadId,
    string Status,
    string? Reason = null,
    string? Note = null,
    string OwnerId = "005o0000002XyZaAAK",
    bool? BudgetConfirmed = null,
    bool? TimelineConfirmed = null,
    string RecordId = "00Qo000000HVEMpEAP");

/// <summary>Outbound Message envelopes as Salesforce sends them (SOAP 1.1, enterprise sObject namespace, nil session id).</summary>
internal static class SalesforceEnvelopes
{
    public static string Build(string organizationId, params LeadNotification[] notifications)
    {
        var sb = new StringBuilder();
        sb.Append("""
            <?xml version="1.0" encoding="UTF-8"?>
            <soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
             <soapenv:Body>
              <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
            """);
        sb.Append(CultureInfo.InvariantCulture, $"""

               <OrganizationId>{organizationId}</OrganizationId>
               <ActionId>04ko0000000TpXOQAY</ActionId>
               <SessionId xsi:nil="true"/>
               <EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/62.0/{organizationId[..15]}</EnterpriseUrl>
               <PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/62.0/{organizationId[..15]}</PartnerUrl>
            """);
        foreach (var n in notifications)
        {
            sb.Append(CultureInfo.InvariantCulture, $"""

               <Notification>
                <Id>{n.Id}</Id>
                <sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
                 <sf:Id>{n.RecordId}</sf:Id>
                 <sf:Company>Acme Payments</sf:Company>
                 <sf:Email>buyer@acme.example</sf:Email>
                 <sf:OwnerId>{n.OwnerId}</sf:OwnerId>
                 <sf:Smarketing_Lead_Id__c>{SecurityElement.Escape(n.LeadId)}</sf:Smarketing_Lead_Id__c>
                 <sf:Status>{SecurityElement.Escape(n.Status)}</sf:Status>
            """);
            sb.Append(n.Reason is null
                ? "\n     <sf:Disqualification_Reason__c xsi:nil=\"true\"/>"
                : string.Create(CultureInfo.InvariantCulture, $"\n     <sf:Disqualification_Reason__c>{SecurityElement.Escape(n.Reason)}</sf:Disqualification_Reason__c>"));
            if (n.Note is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $"\n     <sf:Disqualification_Note__c>{SecurityElement.Escape(n.Note)}</sf:Disqualification_Note__c>");
            }

            if (n.BudgetConfirmed is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $"\n     <sf:Budget_Confirmed__c>{(n.BudgetConfirmed.Value ? "true" : "false")}</sf:Budget_Confirmed__c>");
            }

            if (n.TimelineConfirmed is not null)
            {
                sb.Append(CultureInfo.InvariantCulture, $"\n     <sf:Timeline_Confirmed__c>{(n.TimelineConfirmed.Value ? "true" : "false")}</sf:Timeline_Confirmed__c>");
            }

            sb.Append("\n    </sObject>\n   </Notification>");
        }

        sb.Append("\n  </notifications>\n </soapenv:Body>\n</soapenv:Envelope>\n");
        return sb.ToString();
    }

    /// <summary>The acknowledgement Salesforce expects, spelled out here rather than taken from the code under test.</summary>
    public const string ExpectedAck =
        """<?xml version="1.0" encoding="UTF-8"?>""" + "\n" +
        """<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>""";
}
