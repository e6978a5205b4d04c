import Domain
import Foundation

/// Where a card payment stands at the gateway (Stripe's PaymentIntent states).
public enum CardIntentStatus: String, Sendable, Codable {
    case succeeded, processing, canceled
    case requiresAction = "requires_action"
    case requiresPaymentMethod = "requires_payment_method"
    case requiresConfirmation = "requires_confirmation"
    case requiresCapture = "requires_capture"
}

/// A card payment at the gateway, as much of it as billing needs.
public struct CardIntent: Sendable, Equatable {
    public let id: String
    public let status: CardIntentStatus
    public let amount: Money
    /// Handed to the browser only to finish 3-D Secure; never the secret key.
    public let clientSecret: String?
    /// The proforma the intent pays and the attempt that created it (metadata written when it was created).
    public let proformaID: Int64?
    public let attemptKey: String?
    /// Why the last attempt failed, in the gateway's words.
    public let failure: String?

    public init(
        id: String, status: CardIntentStatus, amount: Money, clientSecret: String?, proformaID: Int64?,
        attemptKey: String?, failure: String?
    ) {
        self.attemptKey = attemptKey
        self.id = id
        self.status = status
        self.amount = amount
        self.clientSecret = clientSecret
        self.proformaID = proformaID
        self.failure = failure
    }
}

/// A verified webhook event.
public struct GatewayEvent: Sendable, Equatable {
    public let id: String
    public let type: String
    public let intent: CardIntent?

    public init(id: String, type: String, intent: CardIntent?) {
        self.id = id
        self.type = type
        self.intent = intent
    }
}

public enum CardGatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bank said no (declined card, failed authentication): shown to the client.
    case declined(String)
    /// A webhook without a valid, fresh signature.
    case badSignature(String)
    /// The gateway refused the request or could not be reached.
    case failed(String)

    public var description: String {
        switch self {
        case .declined(let m): "declined: \(m)"
        case .badSignature(let m): "bad signature: \(m)"
        case .failed(let m): "gateway error: \(m)"
        }
    }
}

/// A card gateway (Stripe today; Netopia or another can follow the same shape).
public protocol CardGateway: Sendable {
    /// Stored with every attempt and payment ("stripe").
    var name: String { get }
    /// What the browser may know (Stripe's publishable key and Stripe.js address).
    var publishableKey: String { get }
    var scriptURL: String { get }
    /// Origins the payment page must allow (script, API calls, frames) in its CSP.
    var pageOrigins: [String] { get }
    /// The request header that carries the webhook's signature.
    var signatureHeader: String { get }

    /// Creates and confirms an intent for `amount` with the card the browser tokenised; `attemptKey` (random per
    /// attempt) is both the idempotency key and metadata on the intent. Throws `.declined` when the bank refuses at once.
    func createIntent(amount: Money, paymentMethod: String, proforma: ProformaInvoice, attemptKey: String) async throws
        -> CardIntent
    func intent(id: String) async throws -> CardIntent
    /// Refunds the whole intent; the key makes a repeated refund (a retry) refund once. Returns the refund id.
    func refund(intentID: String, idempotencyKey: String) async throws -> String
    /// Verifies the signature (and its age against `now`) and parses the event.
    func event(payload: [UInt8], signature: String, now: Date) throws -> GatewayEvent
}

/// One try of a client to pay by card.
public struct CardAttempt: Sendable, Equatable {
    public let id: Int64
    public let key: String
    public let proformaID: Int64
    public let intentID: String?
    public let status: String
    public let failure: String?
    public let at: Date

    public init(
        id: Int64, key: String, proformaID: Int64, intentID: String?, status: String, failure: String?, at: Date
    ) {
        self.id = id
        self.key = key
        self.proformaID = proformaID
        self.intentID = intentID
        self.status = status
        self.failure = failure
        self.at = at
    }
}

public protocol CardPaymentStore: Sendable {
    /// Written before the gateway is called, so an intent the process did not live to record is still ours. A slot
    /// already taken throws `StoreError.duplicate`; the key is random and is what the gateway sees.
    func insertAttempt(
        slot: String, key: String, proformaID: Int64, clientID: Int64, gateway: String, amount: Money, at: Date)
        async throws
    /// The attempt's intent (once known), state and failure reason; false when no attempt has this key.
    @discardableResult
    func updateAttempt(key: String, intentID: String?, status: String, failure: String?, at: Date) async throws -> Bool
    func attempt(key: String) async throws -> CardAttempt?
    func attempt(slot: String) async throws -> CardAttempt?
    /// Newest first.
    func attempts(proformaID: Int64) async throws -> [CardAttempt]
    func eventSeen(gateway: String, eventID: String) async throws -> Bool
    /// Records an event as processed; false when it already was (UNIQUE (gateway, event id)).
    func recordEvent(gateway: String, eventID: String, type: String, at: Date) async throws -> Bool
}

/// Paying a proforma by card. Money is recorded only through `RecordPayment` (as for a bank transfer), keyed by the
/// gateway's intent id, so the redirect, the webhook and repeated events record one payment between them.
public struct CardPayments: Sendable {
    let deps: AppDependencies
    public let gateway: any CardGateway
    let store: any CardPaymentStore

    public init(deps: AppDependencies, gateway: any CardGateway, store: any CardPaymentStore) {
        self.deps = deps
        self.gateway = gateway
        self.store = store
    }

    public enum Outcome: Sendable, Equatable {
        case paid(RecordPayment.Outcome)
        /// 3-D Secure: the browser finishes with this client secret, then comes back.
        case needsAuthentication(intentID: String, clientSecret: String)
        case failed(String)
        case pending
    }

    /// The client pays the open amount of an unpaid proforma of theirs.
    public func pay(proformaID: Int64, clientID: Int64, paymentMethod: String) async throws -> Outcome {
        guard let p = try await deps.store.read({ r in try await r.proforma(id: proformaID, forUpdate: false) }),
            p.clientID == clientID
        else { throw UseCaseError.notFound("proforma") }
        guard p.state == .unpaid, p.openMinor > 0 else {
            throw UseCaseError.from(InvoicingError.proformaNotUnpaid(p.state))
        }
        guard !paymentMethod.isEmpty, paymentMethod.count < 200 else {
            throw UseCaseError.invalid(
                ValidationFailure(field: "payment_method", rule: "card.missing", message: "Enter the card details."))
        }
        let amount = Money(minor: p.openMinor, currency: p.currency)
        // One attempt at a time per proforma: the slot counts only the attempts that ended without taking money (or
        // were left unfinished for 5 minutes), so a second submit while one is under way, or after it succeeded,
        // gets the same slot, which the UNIQUE slot lets in once; it is answered with that attempt's state instead
        // of a second charge. A new card after a decline gets a new slot. The key sent to the gateway (its
        // idempotency key) is random: the slot repeats in every database that shares a gateway account.
        let now = deps.clock.now()
        let over = try await store.attempts(proformaID: p.id).filter { a in
            Self.endedWithoutMoney.contains(a.status)
                || (a.status != CardIntentStatus.succeeded.rawValue && now.timeIntervalSince(a.at) > 5 * 60)
        }
        let slot = "\(p.number)-v\(p.version)-\(amount.minor)-a\(over.count)"
        let key = "hostico-\(p.number)-\(deps.random.hex(12))"
        do {
            try await store.insertAttempt(
                slot: slot, key: key, proformaID: p.id, clientID: clientID, gateway: gateway.name, amount: amount,
                at: now)
        } catch StoreError.duplicate {
            guard let running = try await store.attempt(slot: slot), let intentID = running.intentID else {
                return .pending
            }
            return try await settle(try await gateway.intent(id: intentID), actor: .client(clientID))
        }
        do {
            return try await settle(
                try await gateway.createIntent(
                    amount: amount, paymentMethod: paymentMethod, proforma: p, attemptKey: key),
                actor: .client(clientID))
        } catch CardGatewayError.declined(let reason) {
            try await store.updateAttempt(
                key: key, intentID: nil, status: "declined", failure: reason, at: deps.clock.now())
            return .failed(reason)
        }
    }

    static let endedWithoutMoney: Set<String> = ["declined", "failed", "canceled"]

    /// Back from 3-D Secure: the intent's state decides, read from the gateway, not from the browser.
    public func returned(proformaID: Int64, clientID: Int64, intentID: String) async throws -> Outcome {
        guard let p = try await deps.store.read({ r in try await r.proforma(id: proformaID, forUpdate: false) }),
            p.clientID == clientID
        else { throw UseCaseError.notFound("proforma") }
        let intent = try await gateway.intent(id: intentID)
        guard intent.proformaID == p.id else { throw UseCaseError.notFound("card payment") }
        return try await settle(intent, actor: .client(clientID))
    }

    /// A webhook delivery: verified, processed at most once per event id.
    public enum WebhookResult: Sendable, Equatable {
        case processed, duplicate, ignored
    }

    public func webhook(payload: [UInt8], signature: String) async throws -> WebhookResult {
        let event = try gateway.event(payload: payload, signature: signature, now: deps.clock.now())
        if try await store.eventSeen(gateway: gateway.name, eventID: event.id) { return .duplicate }
        var result = WebhookResult.ignored
        if let intent = event.intent, event.type.hasPrefix("payment_intent.") {
            do {
                _ = try await settle(intent, actor: .system)
                result = .processed
            } catch UseCaseError.notFound {
                deps.logger.notice(
                    "webhook for a payment this system did not start",
                    metadata: ["event": "\(event.id)", "intent": "\(intent.id)"])
            } catch UseCaseError.conflict(let rule, let message) {
                // Money taken that the payment rules refuse (no BNR rate yet for a foreign-currency invoice, say): retrying
                // the event cannot help; staff act on it from this log line and the audit entry. (Money for a cancelled
                // proforma is not refused: it becomes the client's credit.)
                deps.logger.error(
                    "card payment needs staff",
                    metadata: ["event": "\(event.id)", "intent": "\(intent.id)", "rule": "\(rule)"])
                let entry = AuditEntry(
                    actor: .system, action: "card.needs_staff", entity: "proforma", entityID: intent.proformaID ?? 0,
                    before: nil,
                    after: auditJSON(["intent": intent.id, "amount": intent.amount.description, "why": message]),
                    at: deps.clock.now())
                try await deps.store.write { tx in try await tx.append(entry) }
            }
        }
        _ = try await store.recordEvent(
            gateway: gateway.name, eventID: event.id, type: event.type, at: deps.clock.now())
        return result
    }

    /// Records a succeeded intent's payment (once, whoever reports it) or the reason it failed. Only intents this
    /// system started (an attempt with the intent's key) count: another application on the same gateway account,
    /// or a forged metadata field, pays nothing here.
    func settle(_ intent: CardIntent, actor: Actor) async throws -> Outcome {
        let now = deps.clock.now()
        guard let key = intent.attemptKey, let attempt = try await store.attempt(key: key),
            attempt.proformaID == intent.proformaID
        else {
            throw UseCaseError.notFound("card payment attempt")
        }
        switch intent.status {
        case .succeeded:
            let outcome = try await RecordPayment(deps)(
                proformaID: attempt.proformaID,
                .init(amount: intent.amount, method: .card, reference: intent.id, idempotencyKey: "card:\(intent.id)"),
                actor: actor)
            try await store.updateAttempt(
                key: attempt.key, intentID: intent.id, status: intent.status.rawValue, failure: nil, at: now)
            return .paid(outcome)
        case .requiresAction:
            try await store.updateAttempt(
                key: attempt.key, intentID: intent.id, status: intent.status.rawValue, failure: nil, at: now)
            return .needsAuthentication(intentID: intent.id, clientSecret: intent.clientSecret ?? "")
        case .requiresPaymentMethod, .canceled:
            let reason =
                intent.failure
                ?? (intent.status == .canceled ? "The payment was cancelled." : "The card was not accepted.")
            try await store.updateAttempt(
                key: attempt.key, intentID: intent.id, status: intent.status == .canceled ? "canceled" : "failed",
                failure: reason, at: now)
            return .failed(reason)
        case .processing, .requiresConfirmation, .requiresCapture:
            try await store.updateAttempt(
                key: attempt.key, intentID: intent.id, status: intent.status.rawValue, failure: nil, at: now)
            return .pending
        }
    }

    /// The client's tries on a proforma, newest first (the page shows why the last one failed).
    public func attempts(proformaID: Int64) async throws -> [CardAttempt] {
        try await store.attempts(proformaID: proformaID)
    }

    /// Staff refund a card-paid fiscal invoice: the money goes back at the gateway, then the invoice is reversed by a
    /// storno. The refund's idempotency key is the invoice, so repeating after a failure never refunds twice.
    /// `note` is the staff's reason, kept in the audit log with the storno.
    public func refund(fiscalInvoiceID: Int64, note: String? = nil, actor: Actor) async throws -> FiscalInvoice {
        guard let f = try await deps.store.read({ r in try await r.fiscalInvoice(id: fiscalInvoiceID) }),
            let proformaID = f.proformaID
        else { throw UseCaseError.notFound("fiscal invoice") }
        let cards = try await deps.store.read { r in try await r.payments(proformaID: proformaID) }.filter {
            $0.method == .card
        }
        guard !cards.isEmpty else {
            throw UseCaseError.conflict(
                rule: "refund.not-card",
                message: "This invoice was not paid by card; refund the bank transfer and issue a storno.")
        }
        var refunds: [String] = []
        for payment in cards {
            guard let intentID = payment.gatewayReference else { continue }
            refunds.append(
                try await gateway.refund(
                    intentID: intentID, idempotencyKey: "hostico-refund-\(f.displayNumber)-\(intentID)"))
        }
        // The money went back to the card: the sale ends and nothing is credited.
        let storno = try await StornoFiscalInvoice(deps)(
            fiscalInvoiceID: f.id, then: StornoFollowUp.end.rawValue, moneyReturned: true, note: note, actor: actor
        ).storno
        let entry = AuditEntry(
            actor: actor, action: "card.refunded", entity: "fiscal_invoice", entityID: f.id, before: nil,
            after: auditJSON(["refunds": refunds.joined(separator: ","), "storno": storno.displayNumber]),
            at: deps.clock.now())
        try await deps.store.write { tx in try await tx.append(entry) }
        return storno
    }
}
