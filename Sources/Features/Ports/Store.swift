import Domain
import Foundation

/// Storage errors the use cases act on. A unique violation means "already done", never a crash.
public enum StoreError: Error, Sendable, Equatable {
    case duplicate(String)
    case notFound(String)
}

/// Entry to the database: every business write and the outbox messages it causes commit in one `write`.
public protocol Store: Sendable {
    /// One write transaction: `BEGIN IMMEDIATE` on SQLite (one writer), row locks on PostgreSQL.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) async throws -> T) async throws -> T
    /// Reads outside a write transaction (committed data only).
    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) async throws -> T) async throws -> T
}

/// Reads. Methods that take `forUpdate` lock the row on PostgreSQL (`FOR UPDATE`); SQLite's single writer
/// already serialises writers.
public protocol StoreReader: Sendable {
    func client(id: Int64) async throws -> Client?
    func client(email: EmailAddress) async throws -> (client: Client, passwordHash: String)?
    func searchClients(query: String?, limit: Int, offset: Int) async throws -> [ClientSummary]
    func billingProfiles(clientID: Int64) async throws -> [BillingProfile]
    func billingProfile(id: Int64) async throws -> BillingProfile?
    /// Every SMS consent change of a client, newest first (evidence for staff).
    func smsConsents(clientID: Int64) async throws -> [SmsConsent]
    /// Each client's default billing profile (or its oldest, when none is marked default).
    func defaultProfiles(clientIDs: [Int64]) async throws -> [Int64: BillingProfile]

    func plan(id: Int64) async throws -> HostingPlan?
    func plans() async throws -> [HostingPlan]

    func service(id: Int64, forUpdate: Bool) async throws -> HostingService?
    func services(clientID: Int64, forUpdate: Bool) async throws -> [HostingService]
    func services(clientIDs: [Int64], forUpdate: Bool) async throws -> [HostingService]
    /// Clients owning a live service (active, or held for non-payment only) whose next period to invoice starts on or
    /// before `cutoff`, ascending.
    func clientsWithRenewalsDue(cutoff: CivilDate, afterClientID: Int64, limit: Int) async throws -> [Int64]
    /// Live services with an active non-payment hold placed before `placedBefore` (candidates for termination).
    func servicesSuspendedSince(placedBefore: Date) async throws -> [Int64]
    /// Live services cancelled at the end of their paid period whose last day is before `day`, ascending.
    func servicesEnding(before day: CivilDate) async throws -> [Int64]
    /// The periods of a service that are on paid proformas.
    func paidPeriodIndexes(serviceID: Int64) async throws -> Set<Int>

    func proforma(id: Int64, forUpdate: Bool) async throws -> ProformaInvoice?
    func proformas(clientID: Int64?, state: ProformaState?, limit: Int, offset: Int) async throws -> [ProformaInvoice]
    /// Unpaid proformas (of `origin`, or any) whose effective due date (the extension, else the due date) is on or before `dueOnOrBefore`.
    func unpaidProformas(dueOnOrBefore: CivilDate, origin: ProformaOrigin?) async throws -> [Int64]
    /// Unpaid proformas due (effective due date) on or before `dueOnOrBefore` with a line of a live service that has
    /// no active non-payment hold for them yet: what the suspension task has left to do.
    func proformasToSuspend(dueOnOrBefore: CivilDate) async throws -> [Int64]
    /// Unpaid proformas whose effective due date is on or before `dueOnOrBefore`, with their extended due date.
    func unpaidDueDates(dueOnOrBefore: CivilDate) async throws -> [UnpaidDue]
    /// Which of `keys` the outbox already holds.
    func outboxKeys(among keys: [String]) async throws -> Set<String>
    /// Unpaid proformas with a line of the service.
    func unpaidProformas(serviceID: Int64) async throws -> [Int64]
    /// The newest day the daily tasks completed for, if they ever ran.
    func lastDailyRun() async throws -> CivilDate?
    /// The dates that decide when the daily tasks next have work (`DailyBillingTasks.nextDayWithWork`): the earliest
    /// next invoice date after `invoiceAfter` of a live service, the effective due dates after `dueAfter` of unpaid
    /// proformas, and the earliest active non-payment hold on a suspended service placed at or after `holdsFrom`.
    func dailyWorkAhead(invoiceAfter: CivilDate, dueAfter: CivilDate, holdsFrom: Date, endingFrom: CivilDate)
        async throws -> DailyWorkAhead
    /// The newest daily runs, newest first.
    func dailyRuns(limit: Int) async throws -> [DailyRunReport]

    func fiscalInvoice(id: Int64) async throws -> FiscalInvoice?
    func fiscalInvoice(proformaID: Int64) async throws -> FiscalInvoice?
    func fiscalInvoice(correcting id: Int64) async throws -> FiscalInvoice?
    func fiscalInvoices(clientID: Int64?, limit: Int, offset: Int) async throws -> [FiscalInvoice]
    /// The provisioner configured for a service's plan (nil: the plan is not provisioned automatically).
    func provisioner(serviceID: Int64) async throws -> String?
    /// A service's provisioning jobs, oldest first.
    func provisioningJobs(serviceID: Int64) async throws -> [ProvisioningJob]
    /// Newest first; all states when `state` is nil.
    func efacturaSubmissions(state: EFacturaState?, limit: Int) async throws -> [EFacturaSubmission]
    func efacturaSubmission(fiscalInvoiceID: Int64) async throws -> EFacturaSubmission?
    /// Invoices and stornos issued in the closed range, in numbering order (for e-Factura exports).
    func fiscalInvoices(issuedFrom: CivilDate, through: CivilDate) async throws -> [FiscalInvoice]
    func exchangeRate(currency: Currency, onOrBefore date: CivilDate) async throws -> ExchangeRate?

    func payments(proformaID: Int64) async throws -> [PaymentRecord]
    /// Payments matching `filter`, newest first.
    func payments(_ filter: PaymentFilter, limit: Int, offset: Int) async throws -> [PaymentRecord]
    /// The payment recorded under an idempotency key, if any.
    func payment(idempotencyKey: String) async throws -> PaymentRecord?
    /// The client's proformas that received at least one payment by `method`.
    func proformaIDs(clientID: Int64, paidBy method: PaymentMethod) async throws -> Set<Int64>
    func creditBalance(clientID: Int64, currency: Currency) async throws -> Int64
    /// The client's credit ledger, newest first.
    func creditEntries(clientID: Int64, limit: Int, offset: Int) async throws -> [CreditEntry]
    /// The client's balances, by currency (zero balances left out).
    func creditBalances(clientID: Int64) async throws -> [Currency: Int64]
    func outbox(clientID: Int64?, limit: Int) async throws -> [StoredOutboxEvent]
    func audit(entity: String?, entityID: Int64?, limit: Int) async throws -> [StoredAuditEntry]
    /// Everything done by or to one client (its account, profiles, services and invoices), newest first.
    func audit(clientID: Int64, limit: Int) async throws -> [StoredAuditEntry]
    /// The latest entries, newest first (the staff audit page).
    func newestAudit(limit: Int) async throws -> [StoredAuditEntry]
    /// Entries matching `filter`, newest first (the staff audit page's filters and pages).
    func audit(_ filter: AuditFilter, limit: Int, offset: Int) async throws -> [StoredAuditEntry]
    /// The newest audit entries of one action (e.g. `credit.added` for the staff home page), newest first.
    func audit(action: String, limit: Int) async throws -> [StoredAuditEntry]
    func billingRuns(limit: Int) async throws -> [BillingRunReport]

    func apiKey(hash: String) async throws -> APIKeyRecord?
    func apiKeys() async throws -> [APIKeyRecord]
    func staff(email: EmailAddress) async throws -> StaffMember?
    /// Every staff member's name by id, to name who did what on the staff pages.
    func staffNames() async throws -> [Int64: String]
}

/// Writes, inside one transaction.
public protocol StoreTransaction: StoreReader {
    func insert(client: NewClient) async throws -> Int64
    func recordConsent(clientID: Int64, consent: SmsConsent) async throws
    func insert(profile: BillingParty, clientID: Int64, isDefault: Bool, at: Date) async throws -> Int64
    func setDefaultProfile(clientID: Int64, profileID: Int64) async throws
    func updateContact(clientID: Int64, phone: PhoneNumber?, language: Language, timeZone: ClientTimeZone?) async throws
    /// Throws `StoreError.duplicate` when another account has the address.
    func updateEmail(clientID: Int64, email: EmailAddress) async throws
    func update(profileID: Int64, party: BillingParty) async throws

    func insert(plan code: String, name: String, currency: Currency, prices: [BillingCycle: Int64], at: Date)
        async throws -> Int64
    func insert(service: NewService) async throws -> Int64
    func update(services: [HostingService], at: Date) async throws
    /// Moves a pending service's first day (its order was paid later than it was placed).
    func reanchor(serviceID: Int64, anchor: CivilDate) async throws
    func insertHold(serviceID: Int64, reason: HoldReason, by: Actor, at: Date, note: String?, proformaID: Int64?)
        async throws -> Hold
    func liftHolds(ids: [Int64], by: Actor, at: Date) async throws

    /// Next number of a gapless series, from a locked counter row.
    /// Reserves `count` consecutive numbers of a gapless series; the counter row stays locked until commit.
    func nextNumbers(series: String, count: Int) async throws -> ClosedRange<Int64>
    /// Fails with `.duplicate` when a line's (service, period start) is already on a proforma that holds it.
    func insert(proformas: [NewProforma]) async throws -> [ProformaInvoice]
    func update(proforma: ProformaInvoice, at: Date) async throws
    /// Rewrites a proforma's line of a service for another period (and its description).
    func moveLine(proformaID: Int64, serviceID: Int64, to line: InvoiceLine) async throws
    /// Deletes a proforma's lines of these services (ended services), releasing their periods.
    func deleteLines(proformaID: Int64, serviceIDs: Set<Int64>) async throws
    /// Marks the payments of a proforma as taken back (a storno that reopens the amount); returns their total.
    func reversePayments(proformaID: Int64, at: Date) async throws -> Int64
    /// Frees the periods of a cancelled proforma's lines (the lines stay, for its history) so they can be billed again.
    func releasePeriods(proformaID: Int64) async throws
    /// Fails with `.duplicate` when the payment's idempotency key was used before (nothing is written).
    func insert(payment: NewPayment) async throws -> Int64
    func addCredit(clientID: Int64, amount: Money, paymentID: Int64?, note: String, at: Date) async throws
    /// The positive balances of these clients by currency, their client rows locked first (PostgreSQL), so two
    /// transactions never spend the same credit.
    func lockedCreditBalances(clientIDs: [Int64]) async throws -> [Int64: [Currency: Int64]]
    func insert(fiscal: FiscalInvoiceDraft, series: String, number: Int64, at: Date) async throws -> FiscalInvoice
    func insertEFactura(fiscalInvoiceID: Int64, state: EFacturaState, at: Date) async throws
    /// A plan's name, description and prices (the prices replace the old ones).
    func update(planID: Int64, name: String, description: String, prices: [BillingCycle: Int64]) async throws
    /// A retired plan is no longer sold; nil `retired_at` puts it back on sale.
    func setRetired(planID: Int64, _ retired: Bool, at: Date) async throws
    func setProvisioner(planID: Int64, name: String?) async throws
    /// Adds a provisioning job unless one with the same key exists.
    func enqueue(provisioning: NewProvisioningJob) async throws
    func upsert(rate: ExchangeRate) async throws

    func enqueue(_ events: [OutboxEvent]) async throws
    func append(_ entries: [AuditEntry]) async throws
    func insert(report: BillingRunReport, startedAt: Date, finishedAt: Date) async throws
    /// Records (or records again) the daily tasks of a day.
    func record(dailyRun: DailyRunReport) async throws
    /// Records days on which no task had work; a day already recorded keeps its row.
    func record(quietDays: [DailyRunReport]) async throws

    func insert(staff email: EmailAddress, name: String, passwordHash: String, at: Date) async throws -> Int64
    func insert(apiKey name: String, hash: String, staffID: Int64?, scopes: Set<APIScope>, expiresAt: Date?, at: Date)
        async throws -> Int64
    /// Returns false when the key does not exist or was already revoked.
    func revokeAPIKey(id: Int64, at: Date) async throws -> Bool
    func touchAPIKey(id: Int64, at: Date) async throws
}

extension StoreReader {
    public func unpaidProformas(dueOnOrBefore day: CivilDate) async throws -> [Int64] {
        try await unpaidProformas(dueOnOrBefore: day, origin: nil)
    }
}

/// The one-row forms of the bulk writes.
extension StoreTransaction {
    public func update(service: HostingService, at: Date) async throws { try await update(services: [service], at: at) }
    public func nextNumber(series: String) async throws -> Int64 {
        try await nextNumbers(series: series, count: 1).lowerBound
    }
    public func insert(proforma: NewProforma) async throws -> ProformaInvoice {
        try await insert(proformas: [proforma])[0]
    }
    public func enqueue(_ event: OutboxEvent) async throws { try await enqueue([event]) }
    public func append(_ entry: AuditEntry) async throws { try await append([entry]) }
}
