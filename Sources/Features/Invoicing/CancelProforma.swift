import Domain
import Foundation

/// Cancels an unpaid proforma (staff, or the system on termination). A paid one cannot be cancelled. What was
/// already paid on it becomes the client's credit, and the non-payment holds it placed are lifted.
public struct CancelProforma: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    /// `note` is the staff's reason, kept in the audit log.
    public func callAsFunction(proformaID: Int64, note: String? = nil, actor: Actor) async throws -> ProformaInvoice {
        try await deps.store.write { tx in
            guard let p = try await tx.proforma(id: proformaID, forUpdate: true) else {
                throw UseCaseError.notFound("proforma")
            }
            try await ProformaCancellation.cancel(
                p, why: note.map { "cancelled by \(actor): \($0)" } ?? "cancelled by \(actor)", by: actor, in: tx,
                deps: deps, at: deps.clock.now())
            return try p.cancelled()
        }
    }
}
