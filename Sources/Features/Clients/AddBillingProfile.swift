import Domain
import Foundation

/// Adds another billing profile (a person or a company) to a client.
public struct AddBillingProfile: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(clientID: Int64, draft: BillingPartyDraft, makeDefault: Bool, actor: Actor) async throws
        -> BillingProfile
    {
        let party: BillingParty
        do { party = try draft.validated() } catch { throw UseCaseError.invalid(error) }
        let now = deps.clock.now()
        return try await deps.store.write { tx in
            guard try await tx.client(id: clientID) != nil else { throw UseCaseError.notFound("client") }
            let id = try await tx.insert(profile: party, clientID: clientID, isDefault: false, at: now)
            if makeDefault { try await tx.setDefaultProfile(clientID: clientID, profileID: id) }
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "billing_profile.created", entity: "billing_profile", entityID: id,
                    before: nil, after: auditJSON(party), at: now))
            return try await tx.billingProfile(id: id)!
        }
    }
}
