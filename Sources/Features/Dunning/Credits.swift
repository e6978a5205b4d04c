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
}
