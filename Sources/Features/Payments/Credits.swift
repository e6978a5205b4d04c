import Domain
import Foundation

enum Credits {
    /// Money that cannot pay the proforma it came for becomes the client's credit, with a `credit.added` audit entry
    /// (the staff home lists them, so staff can refund).
    static func add(
        _ money: Money, from p: ProformaInvoice, paymentID: Int64?, note: String, why: String, by actor: Actor,
        in tx: any StoreTransaction, at now: Date
    ) async throws {
        try await add(
            money, clientID: p.clientID, from: p.number, paymentID: paymentID, note: note, why: why, by: actor, in: tx,
            at: now)
    }

    /// The same for money from any document (`from` is its number, e.g. a reversed fiscal invoice).
    static func add(
        _ money: Money, clientID: Int64, from number: String, paymentID: Int64?, note: String, why: String,
        by actor: Actor, in tx: any StoreTransaction, at now: Date
    ) async throws {
        try await tx.addCredit(clientID: clientID, amount: money, paymentID: paymentID, note: note, at: now)
        var detail = ["amount": money.description, "from": number, "why": why]
        if let paymentID { detail["payment"] = String(paymentID) }
        try await tx.append(
            AuditEntry(
                actor: actor, action: "credit.added", entity: "client", entityID: clientID, before: nil,
                after: auditJSON(detail), at: now))
    }

    /// How much of each new proforma the clients' credit pays: in issue order, the balance in the proforma's currency
    /// until it runs out. Only for proformas the clients owe fresh (orders, renewals), not periods billed again.
    /// A foreign-currency proforma the credit would pay in full needs the day's BNR rate for its fiscal invoice:
    /// without one it is left to be paid as usual (the credit stays), rather than failing the client's billing.
    static func plan(for proformas: [ProformaInvoice], in tx: any StoreTransaction, today: CivilDate) async throws
        -> [Int64: Int64]
    {
        var balances = try await tx.lockedCreditBalances(clientIDs: Array(Set(proformas.map(\.clientID))).sorted())
        guard !balances.isEmpty else { return [:] }
        var plan: [Int64: Int64] = [:]
        var rated: [Currency: Bool] = [.RON: true]
        for p in proformas {
            let available = balances[p.clientID]?[p.currency] ?? 0
            let use = min(available, p.totals.grossMinor)
            guard use > 0 else { continue }
            if use == p.totals.grossMinor {
                if rated[p.currency] == nil {
                    rated[p.currency] = try await tx.exchangeRate(currency: p.currency, onOrBefore: today) != nil
                }
                guard rated[p.currency] == true else { continue }
            }
            plan[p.id] = use
            balances[p.clientID]![p.currency] = available - use
        }
        return plan
    }

    /// Pays `minor` of the new proforma `p` from the client's credit: a payment of method `credit` and the ledger
    /// entry that takes it, audited. When it covers the proforma, the fiscal invoice follows as for any payment.
    static func apply(
        _ minor: Int64, to p: ProformaInvoice, in tx: any StoreTransaction, deps: AppDependencies, at now: Date
    ) async throws {
        let money = Money(minor: minor, currency: p.currency)
        let today = deps.today()
        let paymentID = try await tx.insert(
            payment: NewPayment(
                proformaID: p.id, clientID: p.clientID, amount: money, method: .credit, gatewayReference: nil,
                receivedOn: today, recordedBy: .system, recordedAt: now))
        try await tx.addCredit(
            clientID: p.clientID, amount: Money(minor: -minor, currency: p.currency), paymentID: paymentID,
            note: "Applied to \(p.number)", at: now)
        try await tx.append(
            AuditEntry(
                actor: .system, action: "credit.applied", entity: "proforma", entityID: p.id, before: nil,
                after: auditJSON(["amount": money.description, "payment": String(paymentID), "proforma": p.number]),
                at: now))
        let application: ProformaInvoice.PaymentApplication
        do { application = try p.applying(payment: money) } catch { throw UseCaseError.mapping(error) }
        try await tx.update(proforma: application.proforma, at: now)
        if application.completesPayment {
            _ = try await PaymentSettlement.complete(application.proforma, in: tx, deps: deps, actor: .system, at: now)
        }
    }
}

/// Staff pay a client's credit back by bank transfer: a negative ledger entry with the transfer's reference, audited.
/// Never more than the balance in that currency.
public struct RefundCredit: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public struct Input: Sendable, Equatable {
        public let amount: Money
        /// The bank transfer's reference, as the statement shows it.
        public let reference: String

        public init(amount: Money, reference: String) {
            self.amount = amount
            self.reference = reference
        }

        public static func parse(amount: String, currency: String, reference: String) throws -> Input {
            var errors = FieldErrors()
            let cur = Currency(rawValue: currency)
            if cur == nil { errors.add("currency", "currency.enum", "Choose RON, EUR or USD.") }
            let minor = Money.parseMinor(amount)
            if minor == nil || minor! <= 0 {
                errors.add("amount", "amount.positive", "Give a positive amount with at most two decimals.")
            }
            let ref = errors.text("reference", reference, limit: 200)
            if ref.isEmpty {
                errors.add("reference", "reference.required", "Give the bank transfer's reference.")
            }
            do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
            return Input(amount: Money(minor: minor!, currency: cur!), reference: ref)
        }
    }

    public func callAsFunction(clientID: Int64, _ input: Input, actor: Actor) async throws -> Money {
        try await deps.store.write { tx in
            guard try await tx.client(id: clientID) != nil else { throw UseCaseError.notFound("client") }
            let balance =
                try await tx.lockedCreditBalances(clientIDs: [clientID])[clientID]?[input.amount.currency] ?? 0
            guard input.amount.minor <= balance else {
                throw UseCaseError.conflict(
                    rule: "credit.insufficient",
                    message:
                        "The client's credit is \(Money(minor: balance, currency: input.amount.currency)); refund at most that."
                )
            }
            let now = deps.clock.now()
            try await tx.addCredit(
                clientID: clientID, amount: -input.amount, paymentID: nil,
                note: "Refunded by bank transfer, reference \(input.reference)", at: now)
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "credit.refunded", entity: "client", entityID: clientID, before: nil,
                    after: auditJSON(["amount": input.amount.description, "reference": input.reference]), at: now))
            return Money(minor: balance - input.amount.minor, currency: input.amount.currency)
        }
    }
}
