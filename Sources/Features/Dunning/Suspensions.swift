import Domain
import Foundation

enum Suspensions {
    /// The outbox event and audit entry of a new hold, whatever its reason.
    static func announce(
        hold: Hold, service: HostingService, proforma: ProformaInvoice?, in tx: any StoreTransaction, at now: Date
    ) async throws {
        var payload = ["serviceID": String(service.id), "domain": service.domain, "reason": hold.reason.rawValue]
        if let p = proforma {
            payload["proformaID"] = String(p.id)
            payload["proformaNumber"] = p.number
        }
        try await tx.enqueue(
            OutboxEvent(
                kind: .serviceSuspended, key: "hold:\(hold.id)", clientID: service.clientID, payload: payload,
                createdAt: now))
        try await ProvisioningRequests.request(
            .suspend, for: service, holds: service.holds + [hold], key: "hold:\(hold.id)", in: tx, at: now)
        try await tx.append(
            AuditEntry(
                actor: hold.placedBy, action: "service.suspended", entity: "service", entityID: service.id,
                before: auditJSON(["state": service.state.rawValue]),
                after: auditJSON(["hold": String(hold.id), "reason": hold.reason.rawValue, "note": hold.note ?? ""]),
                at: now))
    }

    /// Lifts `lifted` (already chosen) from `service`: the holds' rows, the audit entries, the reactivation e-mail when
    /// none is left, and the provisioning change. Returns the service as it is afterwards.
    static func lift(
        _ which: @escaping (Hold) -> Bool, on service: HostingService, by actor: Actor, why: String,
        in tx: any StoreTransaction, at now: Date
    ) async throws -> HostingService {
        let (next, lifted) = try service.lifting(which)
        guard !lifted.isEmpty else { return service }
        try await tx.liftHolds(ids: lifted.map(\.id), by: actor, at: now)
        try await tx.update(service: next, at: now)
        for h in lifted {
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "service.unsuspended", entity: "service", entityID: service.id,
                    before: auditJSON(["hold": String(h.id), "reason": h.reason.rawValue]),
                    after: auditJSON(["state": next.state.rawValue, "why": why]), at: now))
        }
        if next.state == .active {
            try await tx.enqueue(
                OutboxEvent(
                    kind: .serviceReactivated,
                    key: "reactivated:\(service.id):\(lifted.map { String($0.id) }.joined(separator: ","))",
                    clientID: service.clientID, payload: ["serviceID": String(service.id), "domain": service.domain],
                    createdAt: now))
        }
        try await ProvisioningRequests.afterLifting(lifted, next: next, in: tx, at: now)
        return next
    }

    /// A non-payment hold belongs to its proforma: paying it, cancelling it or extending its due date lifts the
    /// holds it placed, on every service of its lines, and no other hold.
    static func liftHolds(
        of proforma: ProformaInvoice, by actor: Actor, why: String, in tx: any StoreTransaction, at now: Date
    ) async throws {
        for sid in Set(proforma.lines.compactMap(\.serviceID)).sorted() {
            guard let s = try await tx.service(id: sid, forUpdate: true), s.state == .suspended else { continue }
            _ = try await lift(
                { $0.reason == .nonPayment && $0.proformaID == proforma.id }, on: s, by: actor, why: why, in: tx,
                at: now)
        }
    }
}
