import Domain
import Foundation

/// The current instant. Injected so tests move time by hand; logic never calls `Date()`.
public protocol Clock: Sendable {
    func now() -> Date
}

/// Cryptographically secure random bytes (tokens, API keys).
public protocol RandomSource: Sendable {
    func bytes(_ count: Int) -> [UInt8]
}

extension RandomSource {
    /// `count` random bytes as lower-case hex (tokens, ids).
    public func hex(_ count: Int) -> String { bytes(count).hexString }
}

public protocol PasswordHasher: Sendable {
    func hash(_ password: String) async throws -> String
    func verify(_ password: String, against hash: String) async throws -> Bool
}

/// Too many new password hashes are waiting (a sign-up flood): the request is refused at once, to be tried again.
public struct PasswordHashingBusy: Error, Sendable {
    public init() {}
}

/// One-way digest for high-entropy secrets (API keys, magic-link tokens): they are stored only hashed.
public protocol SecretDigest: Sendable {
    func sha256Hex(_ text: String) -> String
}

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

public struct NewClient: Sendable {
    public let email: EmailAddress
    public let passwordHash: String
    public let phone: PhoneNumber?
    public let language: Language
    public let sms: SmsConsent
    public let timeZone: ClientTimeZone?
    public let createdAt: Date

    public init(email: EmailAddress, passwordHash: String, phone: PhoneNumber?, language: Language, sms: SmsConsent, timeZone: ClientTimeZone? = nil, createdAt: Date) {
        self.email = email
        self.passwordHash = passwordHash
        self.phone = phone
        self.language = language
        self.sms = sms
        self.timeZone = timeZone
        self.createdAt = createdAt
    }

}

public struct NewService: Sendable {
    public let clientID: Int64
    public let planID: Int64
    public let domain: String
    public let cycle: BillingCycle
    public let price: Money
    public let anchor: CivilDate
    public let createdAt: Date

    public init(clientID: Int64, planID: Int64, domain: String, cycle: BillingCycle, price: Money, anchor: CivilDate, createdAt: Date) {
        self.clientID = clientID
        self.planID = planID
        self.domain = domain
        self.cycle = cycle
        self.price = price
        self.anchor = anchor
        self.createdAt = createdAt
    }

}

public struct NewProforma: Sendable {
    public let series: String
    public let number: Int64
    public let displayNumber: String
    public let clientID: Int64
    public let origin: ProformaOrigin
    public let currency: Currency
    public let issueDate: CivilDate
    public let dueDate: CivilDate
    public let buyer: BillingParty
    public let billingProfileID: Int64?
    public let vat: VatTreatment
    public let lines: [InvoiceLine]
    public let createdAt: Date

    public init(series: String, number: Int64, displayNumber: String, clientID: Int64, origin: ProformaOrigin, currency: Currency, issueDate: CivilDate, dueDate: CivilDate, buyer: BillingParty, billingProfileID: Int64?, vat: VatTreatment, lines: [InvoiceLine], createdAt: Date) {
        self.series = series
        self.number = number
        self.displayNumber = displayNumber
        self.clientID = clientID
        self.origin = origin
        self.currency = currency
        self.issueDate = issueDate
        self.dueDate = dueDate
        self.buyer = buyer
        self.billingProfileID = billingProfileID
        self.vat = vat
        self.lines = lines
        self.createdAt = createdAt
    }

}

public struct NewPayment: Sendable {
    public let proformaID: Int64
    public let clientID: Int64
    public let amount: Money
    public let method: PaymentMethod
    public let gatewayReference: String?
    public let receivedOn: CivilDate
    public let recordedBy: Actor
    public let recordedAt: Date
    /// What makes a repeat of the same payment recognisable (a card intent, a bank transaction, a caller's key);
    /// nil when nothing does. The free-text reference never does: two transfers may quote the same proforma.
    public let idempotencyKey: String?

    public init(proformaID: Int64, clientID: Int64, amount: Money, method: PaymentMethod, gatewayReference: String?, receivedOn: CivilDate, recordedBy: Actor, recordedAt: Date, idempotencyKey: String? = nil) {
        self.idempotencyKey = idempotencyKey
        self.proformaID = proformaID
        self.clientID = clientID
        self.amount = amount
        self.method = method
        self.gatewayReference = gatewayReference
        self.receivedOn = receivedOn
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }

}

public enum PaymentMethod: String, Sendable, Codable, CaseIterable {
    case bankTransfer = "bank_transfer"
    case card
    case demo
}

/// A message-worthy event, written in the same transaction as the change that caused it.
public struct OutboxEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case proformaIssued = "proforma.issued"
        case paymentConfirmed = "payment.confirmed"
        case serviceSuspended = "service.suspended"
        case serviceReactivated = "service.reactivated"
        case overdueReminder = "proforma.overdue_reminder"
        case serviceTerminated = "service.terminated"
        /// Staff gave an unpaid proforma a later due date.
        case paymentExtended = "proforma.payment_extended"
        /// Sent at once, never queued: the link's token must not rest in the outbox.
        case passwordReset = "account.password_reset"
        /// Sent at once to the previous login address (the outbox writes to the current one).
        case emailChanged = "account.email_changed"
        /// Sent at once to the new login address, with the link that makes it the login e-mail.
        case emailConfirmation = "account.email_confirmation"
    }

    public let kind: Kind
    /// Unique per event: the same event never yields a second row (e.g. "proforma:12", "hold:7").
    public let key: String
    public let clientID: Int64
    public let payload: [String: String]
    public let createdAt: Date

    public init(kind: Kind, key: String, clientID: Int64, payload: [String: String], createdAt: Date) {
        self.kind = kind
        self.key = key
        self.clientID = clientID
        self.payload = payload
        self.createdAt = createdAt
    }
}

public struct AuditEntry: Sendable, Equatable {
    public let actor: Actor
    public let action: String
    public let entity: String
    public let entityID: Int64
    public let before: String?
    public let after: String?
    public let at: Date

    public init(actor: Actor, action: String, entity: String, entityID: Int64, before: String?, after: String?, at: Date) {
        self.actor = actor
        self.action = action
        self.entity = entity
        self.entityID = entityID
        self.before = before
        self.after = after
        self.at = at
    }
}

public struct StoredAuditEntry: Sendable, Codable, Equatable {
    public let id: Int64
    public let actor: String
    public let action: String
    public let entity: String
    public let entityID: Int64
    public let before: String?
    public let after: String?
    public let at: Date

    public init(id: Int64, actor: String, action: String, entity: String, entityID: Int64, before: String?, after: String?, at: Date) {
        self.id = id
        self.actor = actor
        self.action = action
        self.entity = entity
        self.entityID = entityID
        self.before = before
        self.after = after
        self.at = at
    }

}

public struct StoredOutboxEvent: Sendable, Codable, Equatable {
    public let id: Int64
    public let kind: String
    public let key: String
    public let clientID: Int64
    public let payload: [String: String]
    public let createdAt: Date

    public init(id: Int64, kind: String, key: String, clientID: Int64, payload: [String: String], createdAt: Date) {
        self.id = id
        self.kind = kind
        self.key = key
        self.clientID = clientID
        self.payload = payload
        self.createdAt = createdAt
    }

}

public struct PaymentRecord: Sendable, Codable, Equatable {
    public let id: Int64
    public let proformaID: Int64
    public let clientID: Int64
    public let amount: Money
    public let method: PaymentMethod
    public let gatewayReference: String?
    public let receivedOn: CivilDate
    public let recordedBy: String

    public init(id: Int64, proformaID: Int64, clientID: Int64, amount: Money, method: PaymentMethod, gatewayReference: String?, receivedOn: CivilDate, recordedBy: String) {
        self.id = id
        self.proformaID = proformaID
        self.clientID = clientID
        self.amount = amount
        self.method = method
        self.gatewayReference = gatewayReference
        self.receivedOn = receivedOn
        self.recordedBy = recordedBy
    }

}

public struct ClientSummary: Sendable, Codable, Equatable {
    public let id: Int64
    public let email: String
    public let name: String?

    public init(id: Int64, email: String, name: String?) {
        self.id = id
        self.email = email
        self.name = name
    }

}

public struct StaffMember: Sendable, Equatable {
    public let id: Int64
    public let email: EmailAddress
    public let name: String
    public let passwordHash: String

    public init(id: Int64, email: EmailAddress, name: String, passwordHash: String) {
        self.id = id
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
    }

}

public struct APIKeyRecord: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let staffID: Int64?
    public let scopes: Set<APIScope>
    public let createdAt: Date
    public let expiresAt: Date?
    public let lastUsedAt: Date?
    public let revokedAt: Date?

    public init(id: Int64, name: String, staffID: Int64?, scopes: Set<APIScope> = Set(APIScope.allCases), createdAt: Date = .distantPast, expiresAt: Date? = nil, lastUsedAt: Date? = nil, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.staffID = staffID
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    public func isUsable(at now: Date) -> Bool { revokedAt == nil && (expiresAt.map { now < $0 } ?? true) }
}

public struct BillingRunReport: Sendable, Codable, Equatable {
    public var asOf: CivilDate
    public var servicesConsidered = 0
    public var proformasIssued = 0
    public var periodsInvoiced = 0
    public var skippedAlreadyIssued = 0
    public var failures: [Failure] = []

    public struct Failure: Sendable, Codable, Equatable {
        public let clientID: Int64
        public let reason: String
    }

    public init(asOf: CivilDate) { self.asOf = asOf }
}

/// The daily tasks of one day: when they ran and which units failed.
/// An unpaid proforma's due dates (`StoreReader.unpaidDueDates`).
public struct UnpaidDue: Sendable, Equatable {
    public let proformaID: Int64
    public let dueDate: CivilDate
    public let extendedDueDate: CivilDate?
    public var effectiveDueDate: CivilDate { extendedDueDate ?? dueDate }
    public init(proformaID: Int64, dueDate: CivilDate, extendedDueDate: CivilDate?) {
        self.proformaID = proformaID
        self.dueDate = dueDate
        self.extendedDueDate = extendedDueDate
    }
}

/// See `StoreReader.dailyWorkAhead`.
public struct DailyWorkAhead: Sendable, Equatable {
    public struct Due: Sendable, Equatable {
        public let date: CivilDate
        public let origin: ProformaOrigin
        public init(date: CivilDate, origin: ProformaOrigin) {
            self.date = date
            self.origin = origin
        }
    }
    public var nextInvoiceDate: CivilDate?
    public var unpaidDue: [Due]
    public var earliestHold: Date?

    public init(nextInvoiceDate: CivilDate?, unpaidDue: [Due], earliestHold: Date?) {
        self.nextInvoiceDate = nextInvoiceDate
        self.unpaidDue = unpaidDue
        self.earliestHold = earliestHold
    }
}

public struct DailyRunReport: Sendable, Codable, Equatable {
    public let asOf: CivilDate
    public let startedAt: Date
    public let finishedAt: Date
    public let failures: [DailyTaskFailure]

    public init(asOf: CivilDate, startedAt: Date, finishedAt: Date, failures: [DailyTaskFailure]) {
        self.asOf = asOf
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.failures = failures
    }
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
    func plan(code: String) async throws -> HostingPlan?
    func plans() async throws -> [HostingPlan]

    func service(id: Int64, forUpdate: Bool) async throws -> HostingService?
    func services(clientID: Int64, forUpdate: Bool) async throws -> [HostingService]
    func services(clientIDs: [Int64], forUpdate: Bool) async throws -> [HostingService]
    /// Clients owning a live service (active, or held for non-payment only) whose next period to invoice starts on or
    /// before `cutoff`, ascending.
    func clientsWithRenewalsDue(cutoff: CivilDate, afterClientID: Int64, limit: Int) async throws -> [Int64]
    /// Live services with an active non-payment hold placed before `placedBefore` (candidates for termination).
    func servicesSuspendedSince(placedBefore: Date) async throws -> [Int64]
    /// The periods of a service that are on paid proformas.
    func paidPeriodIndexes(serviceID: Int64) async throws -> Set<Int>

    func proforma(id: Int64, forUpdate: Bool) async throws -> ProformaInvoice?
    func proforma(number: String) async throws -> ProformaInvoice?
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
    func dailyWorkAhead(invoiceAfter: CivilDate, dueAfter: CivilDate, holdsFrom: Date) async throws -> DailyWorkAhead
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
    /// The payment recorded under an idempotency key, if any.
    func payment(idempotencyKey: String) async throws -> PaymentRecord?
    /// The client's proformas that received at least one payment by `method`.
    func proformaIDs(clientID: Int64, paidBy method: PaymentMethod) async throws -> Set<Int64>
    func creditBalance(clientID: Int64, currency: Currency) async throws -> Int64
    func outbox(clientID: Int64?, limit: Int) async throws -> [StoredOutboxEvent]
    func audit(entity: String?, entityID: Int64?, limit: Int) async throws -> [StoredAuditEntry]
    /// Everything done by or to one client (its account, profiles, services and invoices), newest first.
    func audit(clientID: Int64, limit: Int) async throws -> [StoredAuditEntry]
    /// The latest entries, newest first (the staff audit page).
    func newestAudit(limit: Int) async throws -> [StoredAuditEntry]
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

    func insert(plan code: String, name: String, currency: Currency, prices: [BillingCycle: Int64], at: Date) async throws -> Int64
    func insert(service: NewService) async throws -> Int64
    func update(services: [HostingService], at: Date) async throws
    /// Moves a pending service's first day (its order was paid later than it was placed).
    func reanchor(serviceID: Int64, anchor: CivilDate) async throws
    func insertHold(serviceID: Int64, reason: HoldReason, by: Actor, at: Date, note: String?, proformaID: Int64?) async throws -> Hold
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
    func insert(fiscal: FiscalInvoiceDraft, series: String, number: Int64, at: Date) async throws -> FiscalInvoice
    func insertEFactura(fiscalInvoiceID: Int64, state: EFacturaState, at: Date) async throws
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
    func insert(apiKey name: String, hash: String, staffID: Int64?, scopes: Set<APIScope>, expiresAt: Date?, at: Date) async throws -> Int64
    /// Returns false when the key does not exist or was already revoked.
    func revokeAPIKey(id: Int64, at: Date) async throws -> Bool
    func touchAPIKey(id: Int64, at: Date) async throws
}

extension StoreReader {
    public func unpaidProformas(dueOnOrBefore day: CivilDate) async throws -> [Int64] { try await unpaidProformas(dueOnOrBefore: day, origin: nil) }
}

/// The one-row forms of the bulk writes.
extension StoreTransaction {
    public func update(service: HostingService, at: Date) async throws { try await update(services: [service], at: at) }
    public func nextNumber(series: String) async throws -> Int64 { try await nextNumbers(series: series, count: 1).lowerBound }
    public func insert(proforma: NewProforma) async throws -> ProformaInvoice { try await insert(proformas: [proforma])[0] }
    public func enqueue(_ event: OutboxEvent) async throws { try await enqueue([event]) }
    public func append(_ entry: AuditEntry) async throws { try await append([entry]) }
}

/// A provisioning job to add in the same transaction as the billing change that causes it. `key` makes it
/// idempotent per (service, action, hold): writing it twice keeps one job.
public struct NewProvisioningJob: Sendable, Equatable {
    public let serviceID: Int64
    public let action: ProvisioningAction
    public let key: String
    public let payload: [String: String]
    public let createdAt: Date

    public init(serviceID: Int64, action: ProvisioningAction, key: String, payload: [String: String], createdAt: Date) {
        self.serviceID = serviceID
        self.action = action
        self.key = key
        self.payload = payload
        self.createdAt = createdAt
    }
}

/// A job as stored (staff see these per service).
public struct ProvisioningJob: Sendable, Equatable {
    public let id: Int64
    public let serviceID: Int64
    public let action: ProvisioningAction
    public let payload: [String: String]
    public let status: ProvisioningJobStatus
    public let attempts: Int
    public let lastError: String?
    public let createdAt: Date
    public let updatedAt: Date

    public init(id: Int64, serviceID: Int64, action: ProvisioningAction, payload: [String: String], status: ProvisioningJobStatus, attempts: Int, lastError: String?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.serviceID = serviceID
        self.action = action
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
