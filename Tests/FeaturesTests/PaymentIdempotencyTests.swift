import Domain
import Features
import Foundation
import Storage
import TestSupport
import Testing

/// Payments are never swallowed: the free-text reference never makes a payment a duplicate; only an idempotency key
/// does, and a key reused for something else is refused.
@Suite("Payments: idempotency by key, never by reference", .serialized)
struct PaymentIdempotencyTests {
    func record(
        _ w: LifecycleWorld, _ proforma: ProformaInvoice, _ amount: String, reference: String?, key: String? = nil
    ) async throws -> RecordPayment.Outcome {
        try await RecordPayment(w.deps)(
            proformaID: proforma.id,
            try .parse(
                amount: amount, currency: "RON", method: "bank_transfer", receivedOn: nil, reference: reference,
                idempotencyKey: key, today: w.deps.today()), actor: .staff(1))
    }

    @Test(arguments: [DatabaseKind.sqlite, .postgres])
    func twoTransfersQuotingTheSameProformaBothCount(kind: DatabaseKind) async throws {
        let w = try await LifecycleWorld.make(kind)
        try await w.day(20)
        let renewal = try #require(try await w.proformas(.unpaid).first)
        #expect(renewal.totals.gross.decimalString == "121.00")
        // The client pays in two halves, both quoting the proforma number as the README asks.
        let first = try await record(w, renewal, "60.50", reference: renewal.number)
        let second = try await record(w, renewal, "60.50", reference: renewal.number)
        #expect(!first.alreadyRecorded && !second.alreadyRecorded)
        #expect(second.fiscalInvoice != nil && second.proforma.state == .paid)
        #expect(try await w.deps.store.read { r in try await r.payments(proformaID: renewal.id) }.count == 2)
        // A reference already used on another proforma is not a duplicate either.
        try await w.day(51)
        let next = try #require(try await w.proformas(.unpaid).first)
        let other = try await record(w, next, "121.00", reference: renewal.number)
        #expect(!other.alreadyRecorded && other.fiscalInvoice != nil)
        try await w.day(60)
        #expect(try await w.svc().state == .active)
        await w.db.close()
    }

    @Test(arguments: [DatabaseKind.sqlite, .postgres])
    func aKeyRepeatedNamesTheFirstPaymentAndAKeyReusedElsewhereIsRefused(kind: DatabaseKind) async throws {
        let w = try await LifecycleWorld.make(kind)
        try await w.day(20)
        let renewal = try #require(try await w.proformas(.unpaid).first)
        let first = try await record(w, renewal, "50.00", reference: "OP-1", key: "bank:TX-1001")
        let again = try await record(w, renewal, "50.00", reference: "OP-1", key: "bank:TX-1001")
        #expect(again.alreadyRecorded && again.paymentID == first.paymentID)
        #expect(try await w.deps.store.read { r in try await r.payments(proformaID: renewal.id) }.count == 1)
        // The same key with another amount: refused, naming the first payment; nothing written.
        do {
            _ = try await record(w, renewal, "71.00", reference: "OP-1", key: "bank:TX-1001")
            Issue.record("a reused key was accepted")
        } catch UseCaseError.conflict(let rule, let message) {
            #expect(rule == "payment.key-reused")
            #expect(message.contains("payment #\(first.paymentID!)") && message.contains(renewal.number))
        }
        #expect(try await w.deps.store.read { r in try await r.payments(proformaID: renewal.id) }.count == 1)
        #expect(try await w.proformas(.unpaid).first?.paidMinor == 5000)
        await w.db.close()
    }
}
