import Domain
import Foundation

/// Records money received for a proforma. Partial payments accumulate; what exceeds the open amount becomes
/// client credit. The payment that completes the proforma issues the fiscal invoice (gapless number taken in
/// this same transaction), pays the services' periods (activating a pending one) and lifts the holds this
/// proforma placed. Money for a paid or cancelled proforma becomes credit.
public struct RecordPayment: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public struct Outcome: Sendable, Equatable {
        public let paymentID: Int64?
        public let proforma: ProformaInvoice
        public let fiscalInvoice: FiscalInvoice?
        public let creditMinor: Int64
        /// True when this idempotency key was recorded before for the same proforma and amount: nothing changed,
        /// and `paymentID` names the first payment.
        public let alreadyRecorded: Bool
    }

    /// A payment as the use case takes it: typed, so a surface parses first (`parse`) and code passes values.
    public struct Input: Sendable, Equatable {
        public let amount: Money
        public let method: PaymentMethod
        /// The day the money arrived; nil is today. Never in the future.
        public let receivedOn: CivilDate?
        /// Free text (a bank reference, the gateway's id); never makes a payment a duplicate.
        public let reference: String?
        /// The same key for every retry of one payment: a repeat is answered with the first payment.
        public let idempotencyKey: String?

        public init(
            amount: Money, method: PaymentMethod, receivedOn: CivilDate? = nil, reference: String? = nil,
            idempotencyKey: String? = nil
        ) {
            self.amount = amount
            self.method = method
            self.receivedOn = receivedOn
            self.reference = reference.flatMap { $0.isEmpty ? nil : $0 }
            self.idempotencyKey = idempotencyKey
        }

        /// What a form or a JSON body sends, checked field by field (`UseCaseError.invalid` names every bad field).
        public static func parse(
            amount: String, currency: String, method: String, receivedOn: String?, reference: String?,
            idempotencyKey rawKey: String?,
            today: CivilDate
        ) throws -> Input {
            var errors = FieldErrors()
            let key = rawKey?.trimmingCharacters(in: .whitespaces)
            if let key,
                key.isEmpty || key.count > 200
                    || key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            {
                errors.add(
                    "idempotencyKey", "idempotency-key.format",
                    "Give a key of 1 to 200 characters without control characters, the same for every retry of one payment."
                )
            }
            let cur = Currency(rawValue: currency)
            if cur == nil { errors.add("currency", "currency.enum", "Choose RON, EUR or USD.") }
            let minor = Money.parseMinor(amount)
            if let minor {
                if minor <= 0 { errors.add("amount", "amount.positive", "The amount must be greater than zero.") }
            } else {
                errors.add(
                    "amount", "amount.format", "Give the amount with a dot and at most two decimals, e.g. 121.00.")
            }
            // `credit` is only ever taken by the system from a client's balance.
            let method = PaymentMethod(rawValue: method).flatMap { $0 == .credit ? nil : $0 }
            if method == nil { errors.add("method", "method.enum", "Choose bank_transfer, card or demo.") }
            var received: CivilDate?
            if let r = receivedOn, !r.isEmpty {
                if let d = CivilDate(r) {
                    if d > today {
                        errors.add("receivedOn", "date.future", "The payment date cannot be in the future.")
                    }
                    received = d
                } else {
                    errors.add("receivedOn", "date.format", "Use YYYY-MM-DD.")
                }
            }
            let ref = reference.map { errors.text("gatewayReference", $0, limit: 200) }
            do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
            guard let minor, let cur, let method else {
                throw UseCaseError.invalid(
                    ValidationFailure(field: "amount", rule: "amount.format", message: "Give the amount."))
            }
            return Input(
                amount: Money(minor: minor, currency: cur), method: method, receivedOn: received, reference: ref,
                idempotencyKey: key)
        }
    }

    public func callAsFunction(proformaID: Int64, _ input: Input, actor: Actor) async throws -> Outcome {
        let today = deps.today()
        guard input.amount.minor > 0 else { throw UseCaseError.from(InvoicingError.nonPositiveAmount) }
        let receivedDay = input.receivedOn ?? today
        guard receivedDay <= today else {
            throw UseCaseError.invalid(
                ValidationFailure(
                    field: "receivedOn", rule: "date.future", message: "The payment date cannot be in the future."))
        }
        let (money, method, ref, key) = (input.amount, input.method, input.reference, input.idempotencyKey)

        return try await deps.store.write { tx in
            guard let proforma = try await tx.proforma(id: proformaID, forUpdate: true) else {
                throw UseCaseError.notFound("proforma")
            }
            guard money.currency == proforma.currency else {
                throw UseCaseError.from(
                    InvoicingError.currencyMismatch(expected: proforma.currency, got: money.currency))
            }
            let now = deps.clock.now()
            let paymentID: Int64
            do {
                paymentID = try await tx.insert(
                    payment: NewPayment(
                        proformaID: proforma.id, clientID: proforma.clientID, amount: money, method: method,
                        gatewayReference: ref, receivedOn: receivedDay, recordedBy: actor, recordedAt: now,
                        idempotencyKey: key))
            } catch StoreError.duplicate {
                // The same key again: a true repeat (same proforma and amount) is answered with the first payment; a key
                // reused for something else is refused, never dropped.
                guard let key, let first = try await tx.payment(idempotencyKey: key) else {
                    throw StoreError.duplicate("payment")
                }
                guard first.proformaID == proforma.id, first.amount == money else {
                    let number =
                        try await tx.proforma(id: first.proformaID, forUpdate: false)?.number
                        ?? "proforma #\(first.proformaID)"
                    throw UseCaseError.conflict(
                        rule: "payment.key-reused",
                        message:
                            "The idempotency key \(key) already recorded payment #\(first.id) of \(first.amount) for \(number); a different payment needs a new key."
                    )
                }
                return Outcome(
                    paymentID: first.id, proforma: proforma,
                    fiscalInvoice: try await tx.fiscalInvoice(proformaID: proforma.id), creditMinor: 0,
                    alreadyRecorded: true)
            }
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "payment.recorded", entity: "proforma", entityID: proforma.id, before: nil,
                    after: auditJSON([
                        "payment": String(paymentID), "amount": money.description, "method": method.rawValue,
                        "receivedOn": receivedDay.description,
                    ]), at: now))

            // Paid already (e.g. the same transfer recorded twice), or cancelled (the order lapsed, the service ended):
            // the money is the client's credit, never a fiscal invoice for a period that is not delivered.
            if proforma.state != .unpaid {
                let note =
                    proforma.state == .paid
                    ? "Payment for already paid \(proforma.number)" : "Payment for cancelled \(proforma.number)"
                try await Credits.add(
                    money, from: proforma, paymentID: paymentID, note: note, why: "proforma \(proforma.state.rawValue)",
                    by: actor, in: tx, at: now)
                return Outcome(
                    paymentID: paymentID, proforma: proforma,
                    fiscalInvoice: try await tx.fiscalInvoice(proformaID: proforma.id), creditMinor: money.minor,
                    alreadyRecorded: false)
            }

            // VAT is due at the rate in force when the payment arrives, never silently an older one.
            let repriced: ProformaInvoice
            do { repriced = proforma.repriced(vat: try deps.vat.treatment(for: proforma.buyer, on: receivedDay)) } catch
            { throw UseCaseError.mapping(error) }
            let application: ProformaInvoice.PaymentApplication
            do { application = try repriced.applying(payment: money) } catch { throw UseCaseError.mapping(error) }
            try await tx.update(proforma: application.proforma, at: now)
            if application.creditMinor > 0 {
                try await tx.addCredit(
                    clientID: proforma.clientID,
                    amount: Money(minor: application.creditMinor, currency: money.currency), paymentID: paymentID,
                    note: "Overpayment of \(proforma.number)", at: now)
            }
            guard application.completesPayment else {
                return Outcome(
                    paymentID: paymentID, proforma: application.proforma, fiscalInvoice: nil,
                    creditMinor: application.creditMinor, alreadyRecorded: false)
            }
            let settled = try await PaymentSettlement.complete(
                application.proforma, in: tx, deps: deps, actor: actor, at: now)
            return Outcome(
                paymentID: paymentID, proforma: settled.proforma, fiscalInvoice: settled.fiscal,
                creditMinor: application.creditMinor, alreadyRecorded: false)
        }
    }
}

/// What a fully paid proforma causes, whichever way it became paid: the fiscal invoice (gapless number taken in this
/// transaction), each service period paid (a pending service becomes active), and the holds it placed lifted.
enum PaymentSettlement {
    static func complete(
        _ proforma: ProformaInvoice, in tx: any StoreTransaction, deps: AppDependencies, actor: Actor, at now: Date
    ) async throws -> (proforma: ProformaInvoice, fiscal: FiscalInvoice) {
        let paid = try await startingOrdersToday(proforma, in: tx, deps: deps, actor: actor, at: now)
        let fiscal = try await issueFiscalInvoice(
            for: paid, in: tx, deps: deps, today: deps.today(), actor: actor, at: now)
        try await settleServices(of: paid, in: tx, actor: actor, at: now)
        return (paid, fiscal)
    }

    /// An order paid after the day it was placed: its pending services start today, not on the order day, so the
    /// client gets the whole first period; the line (and so the fiscal invoice) states that period.
    private static func startingOrdersToday(
        _ paid: ProformaInvoice, in tx: any StoreTransaction, deps: AppDependencies, actor: Actor, at now: Date
    ) async throws -> ProformaInvoice {
        guard paid.origin == .order else { return paid }
        let today = deps.today()
        var moved = paid
        for line in paid.lines {
            guard let sid = line.serviceID, let period = line.period, period.index == 0, period.start < today,
                let service = try await tx.service(id: sid, forUpdate: true), service.state == .pending
            else { continue }
            let started: HostingService
            do { started = try service.starting(on: today) } catch { throw UseCaseError.mapping(error) }
            let first = started.cycle.period(anchor: today, index: 0)
            try await tx.reanchor(serviceID: sid, anchor: today)
            try await tx.moveLine(proformaID: paid.id, serviceID: sid, to: line.moved(to: first))
            moved = moved.movingLine(of: sid, to: first)
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "service.start_moved", entity: "service", entityID: sid,
                    before: auditJSON(["firstPeriod": "\(period.start) – \(period.end)"]),
                    after: auditJSON(["firstPeriod": "\(first.start) – \(first.end)", "why": "order paid on \(today)"]),
                    at: now))
        }
        return moved
    }

    private static func issueFiscalInvoice(
        for paid: ProformaInvoice, in tx: any StoreTransaction, deps: AppDependencies, today: CivilDate, actor: Actor,
        at now: Date
    ) async throws -> FiscalInvoice {
        var rate: ExchangeRate?
        if paid.currency != .RON {
            rate = try await tx.exchangeRate(currency: paid.currency, onOrBefore: today)
            if rate == nil {
                throw UseCaseError.conflict(
                    rule: "exchange-rate.missing",
                    message:
                        "No BNR exchange rate for \(paid.currency.rawValue) on or before \(today); add it before recording this payment."
                )
            }
        }
        // Issued on the day the payment is recorded, so numbers stay in date order within the series.
        let draft = FiscalInvoiceDraft.from(paid: paid, issueDate: today, seller: deps.seller, exchangeRate: rate)
        let fiscal = try await FiscalIssuing.issue(draft, deps: deps, in: tx, at: now)
        try await tx.append(
            AuditEntry(
                actor: actor, action: "fiscal_invoice.issued", entity: "fiscal_invoice", entityID: fiscal.id,
                before: nil,
                after: auditJSON([
                    "number": fiscal.displayNumber, "proforma": paid.number, "total": fiscal.totals.gross.description,
                ]), at: now))
        try await tx.enqueue(
            OutboxEvent(
                kind: .paymentConfirmed, key: "fiscal:\(fiscal.id)", clientID: paid.clientID,
                payload: [
                    "fiscalInvoiceID": String(fiscal.id), "number": fiscal.displayNumber, "proformaNumber": paid.number,
                    "total": fiscal.totals.gross.description,
                ], createdAt: now))
        return fiscal
    }

    private static func settleServices(
        of paid: ProformaInvoice, in tx: any StoreTransaction, actor: Actor, at now: Date
    ) async throws {
        for line in paid.lines {
            guard let sid = line.serviceID, let period = line.period,
                let service = try await tx.service(id: sid, forUpdate: true)
            else { continue }
            if service.state == .terminated { continue }
            // Paid periods come from the lines of paid proformas (this one included): paying a later period first
            // never covers an earlier unpaid one.
            let paidIndexes = try await tx.paidPeriodIndexes(serviceID: sid)
            let next: HostingService
            do { next = try service.paid(period, paidIndexes: paidIndexes) } catch { throw UseCaseError.mapping(error) }
            try await tx.update(service: next, at: now)
            if service.state == .pending {
                try await tx.append(
                    AuditEntry(
                        actor: actor, action: "service.activated", entity: "service", entityID: sid,
                        before: auditJSON(["state": "pending"]), after: auditJSON(["state": next.state.rawValue]),
                        at: now))
                try await ProvisioningRequests.request(.create, for: next, holds: [], key: "order", in: tx, at: now)
            }
        }
        // Only the holds this proforma placed: another unpaid proforma's hold stays until that one is settled.
        try await Suspensions.liftHolds(of: paid, by: actor, why: "\(paid.number) paid", in: tx, at: now)
    }
}
