import Domain
import Foundation

/// Everything staff see about one client on its page: account, profiles, services, invoices, SMS consents, messages,
/// mail links and the audit trail, with the names of the staff who acted.
public struct ClientOverview: Sendable {
    public let client: Client
    public let profiles: [BillingProfile]
    public let services: [HostingService]
    /// Plan names by id (services name their plan).
    public let planNames: [Int64: String]
    public let invoices: ClientInvoices
    /// Proformas paid (at least partly) by card: their fiscal invoices can be refunded at the gateway.
    public let paidByCard: Set<Int64>
    public let consents: [SmsConsent]
    public let messages: [StoredMessage]
    public let mailLinks: [MailLink]
    public let audit: [StoredAuditEntry]
    public let staffNames: [Int64: String]
    public let credit: PaymentQueries.Credit
    /// The plans an order placed for the client may choose.
    public let plansOnSale: [HostingPlan]
    /// The client's payments, newest first.
    public let payments: [PaymentRecord]

    /// Reads the page's data; "not found" when there is no such client.
    public static func load(clientID id: Int64, deps: AppDependencies, identity: Identity, messages: any MessageStore)
        async throws -> ClientOverview
    {
        let data = try await deps.store.read { r in
            guard let client = try await r.client(id: id) else { throw UseCaseError.notFound("client") }
            return (
                client, try await r.billingProfiles(clientID: id), try await r.services(clientID: id, forUpdate: false),
                try await r.plans(),
                ClientInvoices(
                    proformas: try await r.proformas(clientID: id, state: nil, limit: 500, offset: 0),
                    fiscalInvoices: try await r.fiscalInvoices(clientID: id, limit: 500, offset: 0)),
                try await r.proformaIDs(clientID: id, paidBy: .card), try await r.smsConsents(clientID: id),
                try await r.audit(clientID: id, limit: 200),
                try await r.staffNames()
            )
        }
        return ClientOverview(
            client: data.0, profiles: data.1, services: data.2,
            planNames: Dictionary(data.3.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a }),
            invoices: data.4, paidByCard: data.5, consents: data.6,
            messages: try await messages.messages(clientID: id, limit: 100),
            mailLinks: try await identity.store.mailLinks(clientID: id, limit: 50), audit: data.7, staffNames: data.8,
            credit: try await PaymentQueries(deps).credit(clientID: id, limit: 100),
            plansOnSale: data.3.filter { !$0.retired },
            payments: try await PaymentQueries(deps).list(PaymentFilter(clientID: id), limit: 100, offset: 0))
    }
}
