import Domain
import Foundation

/// Staff lift abuse and other holds: one (`holdID`), those of a reason, or all of them. A non-payment hold is not
/// theirs to lift: it goes when its proforma is paid or cancelled, or with a payment extension.
public struct UnsuspendService: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    static let nonPaymentRefusal = UseCaseError.conflict(
        rule: "hold.non-payment",
        message:
            "A non-payment hold is lifted only by paying or cancelling its proforma, or by giving the proforma a payment extension (staff client page, or POST /api/v1/proformas/{id}/extension)."
    )

    /// `note` is the staff's reason, kept in the audit log.
    public func callAsFunction(
        serviceID: Int64, holdID: Int64?, reason: String?, note: String? = nil, actor: Actor
    ) async throws -> HostingService {
        let raw = (reason ?? "").trimmingCharacters(in: .whitespaces)
        let only = raw.isEmpty ? nil : HoldReason(rawValue: raw)
        if !raw.isEmpty, only == nil {
            throw UseCaseError.invalid(
                ValidationFailure(
                    field: "reason", rule: "reason.enum",
                    message: "Choose abuse or other (or leave the reason out to lift every abuse and other hold)."))
        }
        if only == .nonPayment { throw Self.nonPaymentRefusal }
        return try await deps.store.write { tx in
            guard let s = try await tx.service(id: serviceID, forUpdate: true) else {
                throw UseCaseError.notFound("service")
            }
            guard s.state == .suspended else {
                throw UseCaseError.from(ServiceTransitionError.notAllowed(from: s.state, action: "unsuspend"))
            }
            let chosen = s.holds.filter { h in (holdID == nil || h.id == holdID) && (only == nil || h.reason == only) }
            guard !chosen.isEmpty else { throw UseCaseError.notFound("hold") }
            if holdID != nil, chosen.contains(where: { $0.reason == .nonPayment }) { throw Self.nonPaymentRefusal }
            let ids = Set(chosen.filter { $0.reason != .nonPayment }.map(\.id))
            guard !ids.isEmpty else { throw Self.nonPaymentRefusal }
            return try await Suspensions.lift(
                { ids.contains($0.id) }, on: s, by: actor,
                why: note.map { "lifted by staff: \($0)" } ?? "lifted by staff", in: tx, at: deps.clock.now())
        }
    }
}
