import Domain
import Foundation

/// Changes a stored billing profile, or makes it the default. Invoices already issued keep the data they carry.
public struct UpdateBillingProfile: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(clientID: Int64, profileID: Int64, draft: BillingPartyDraft, actor: Actor) async throws
        -> BillingProfile
    {
        let party: BillingParty
        do { party = try draft.validated() } catch { throw UseCaseError.invalid(error) }
        let now = deps.clock.now()
        return try await deps.store.write { tx in
            guard let before = try await tx.billingProfile(id: profileID), before.clientID == clientID else {
                throw UseCaseError.notFound("billing profile")
            }
            try await tx.update(profileID: profileID, party: party)
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "billing_profile.changed", entity: "billing_profile", entityID: profileID,
                    before: auditJSON(before.party), after: auditJSON(party), at: now))
            return try await tx.billingProfile(id: profileID)!
        }
    }

    public func makeDefault(clientID: Int64, profileID: Int64, actor: Actor) async throws {
        let now = deps.clock.now()
        try await deps.store.write { tx in
            guard let p = try await tx.billingProfile(id: profileID), p.clientID == clientID else {
                throw UseCaseError.notFound("billing profile")
            }
            try await tx.setDefaultProfile(clientID: clientID, profileID: profileID)
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "billing_profile.made_default", entity: "billing_profile",
                    entityID: profileID, before: nil, after: nil, at: now))
        }
    }
}
