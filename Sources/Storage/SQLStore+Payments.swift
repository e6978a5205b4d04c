import Domain
import Features
import Foundation
import SQLKit

extension SQLTransaction {
    // MARK: Payments and credit

    /// An idempotency key seen before is `StoreError.duplicate` through ON CONFLICT DO NOTHING, not a failed
    /// statement: on PostgreSQL a UNIQUE violation aborts the whole transaction, and the caller still needs it to
    /// read the first payment and the proforma's fiscal invoice (a redirect and a webhook reporting one card payment).
    func insert(payment p: NewPayment) async throws -> Int64 {
        guard
            let r = try await row(
                """
                INSERT INTO payments (proforma_id, client_id, amount_minor, currency, method, gateway_ref, received_on, recorded_by, recorded_at, idempotency_key)
                VALUES (\(bind: p.proformaID), \(bind: p.clientID), \(bind: p.amount.minor), \(bind: p.amount.currency.rawValue), \(bind: p.method.rawValue),
                        \(bind: p.gatewayReference), \(bind: p.receivedOn.description), \(bind: p.recordedBy.description), \(bind: millis(p.recordedAt)), \(bind: p.idempotencyKey))
                ON CONFLICT (idempotency_key) DO NOTHING
                RETURNING id
                """)
        else { throw StoreError.duplicate("payment idempotency key") }
        return try r.decode(column: "id", as: Int64.self)
    }

    func payments(proformaID: Int64) async throws -> [PaymentRecord] {
        try await rows("SELECT * FROM payments WHERE proforma_id = \(bind: proformaID) ORDER BY id").map(decodePayment)
    }

    func payment(idempotencyKey: String) async throws -> PaymentRecord? {
        try await row("SELECT * FROM payments WHERE idempotency_key = \(bind: idempotencyKey)").map(decodePayment)
    }

    func payments(_ f: PaymentFilter, limit: Int, offset: Int) async throws -> [PaymentRecord] {
        var q: SQLQueryString = "SELECT * FROM payments WHERE 1 = 1"
        if let c = f.clientID { q += " AND client_id = \(bind: c)" }
        if let p = f.proformaID { q += " AND proforma_id = \(bind: p)" }
        if let m = f.method { q += " AND method = \(bind: m.rawValue)" }
        // received_on is YYYY-MM-DD text: it sorts as the days do.
        if let from = f.receivedFrom { q += " AND received_on >= \(bind: from.description)" }
        if let through = f.receivedThrough { q += " AND received_on <= \(bind: through.description)" }
        q += " ORDER BY id DESC LIMIT \(bind: Int64(limit)) OFFSET \(bind: Int64(offset))"
        return try await rows(q).map(decodePayment)
    }

    private func decodePayment(_ r: any SQLRow) throws -> PaymentRecord {
        PaymentRecord(
            id: try r.int("id"), proformaID: try r.int("proforma_id"), clientID: try r.int("client_id"),
            amount: Money(minor: try r.int("amount_minor"), currency: try r.enumValue("currency", Currency.self)),
            method: try r.enumValue("method", PaymentMethod.self), gatewayReference: try r.stringOrNil("gateway_ref"),
            receivedOn: try r.civil("received_on"), recordedBy: try r.string("recorded_by"),
            reversedAt: try r.intOrNil("reversed_at").map(date(millis:)))
    }

    func proformaIDs(clientID: Int64, paidBy method: PaymentMethod) async throws -> Set<Int64> {
        Set(
            try await rows(
                "SELECT DISTINCT proforma_id FROM payments WHERE client_id = \(bind: clientID) AND method = \(bind: method.rawValue)"
            ).map { try $0.int("proforma_id") })
    }

    func addCredit(clientID: Int64, amount: Money, paymentID: Int64?, note: String, at: Date) async throws {
        try await run(
            "INSERT INTO client_credits (client_id, currency, amount_minor, payment_id, note, at) VALUES (\(bind: clientID), \(bind: amount.currency.rawValue), \(bind: amount.minor), \(bind: paymentID), \(bind: note), \(bind: millis(at)))"
        )
    }

    func creditBalance(clientID: Int64, currency: Currency) async throws -> Int64 {
        try await row(
            "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) AS total FROM client_credits WHERE client_id = \(bind: clientID) AND currency = \(bind: currency.rawValue)"
        )?.int("total") ?? 0
    }

    func creditEntries(clientID: Int64, limit: Int, offset: Int) async throws -> [CreditEntry] {
        try await rows(
            "SELECT * FROM client_credits WHERE client_id = \(bind: clientID) ORDER BY id DESC LIMIT \(bind: Int64(limit)) OFFSET \(bind: Int64(offset))"
        ).map { r in
            CreditEntry(
                id: try r.int("id"), clientID: try r.int("client_id"),
                amount: Money(minor: try r.int("amount_minor"), currency: try r.enumValue("currency", Currency.self)),
                paymentID: try r.intOrNil("payment_id"), note: try r.string("note"), at: date(millis: try r.int("at")))
        }
    }

    func creditBalances(clientID: Int64) async throws -> [Currency: Int64] {
        try await lockedCreditBalances(clientIDs: [clientID], lock: false)[clientID] ?? [:]
    }

    func lockedCreditBalances(clientIDs: [Int64]) async throws -> [Int64: [Currency: Int64]] {
        try await lockedCreditBalances(clientIDs: clientIDs, lock: true)
    }

    private func lockedCreditBalances(clientIDs: [Int64], lock: Bool) async throws -> [Int64: [Currency: Int64]] {
        guard !clientIDs.isEmpty else { return [:] }
        guard lock else { return try await creditSums(clientIDs) }
        // Most clients have no credit: only those that have are locked (then read again, now that no one else can
        // spend it), so a billing batch does not lock every client row it bills.
        let holders = try await creditSums(clientIDs).filter { $0.value.values.contains { $0 > 0 } }.keys.sorted()
        guard !holders.isEmpty else { return [:] }
        _ = try await rows(
            "SELECT id FROM clients WHERE id IN (\(binds: holders)) ORDER BY id\(unsafeRaw: self.lock(true))")
        return try await creditSums(holders)
    }

    private func creditSums(_ clientIDs: [Int64]) async throws -> [Int64: [Currency: Int64]] {
        var result: [Int64: [Currency: Int64]] = [:]
        for r in try await rows(
            """
            SELECT client_id, currency, CAST(SUM(amount_minor) AS BIGINT) AS total FROM client_credits
            WHERE client_id IN (\(binds: clientIDs)) GROUP BY client_id, currency
            """)
        {
            let total = try r.int("total")
            guard total != 0 else { continue }
            result[try r.int("client_id"), default: [:]][try r.enumValue("currency", Currency.self)] = total
        }
        return result
    }
}
