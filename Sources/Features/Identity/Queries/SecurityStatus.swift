import Domain
import Foundation

/// What the Security page shows: the login e-mail, whether 2FA is on and how many recovery codes are left.
public struct SecurityStatus: Sendable, Equatable {
    public let email: EmailAddress?
    public let hasSecondFactor: Bool
    public let unusedRecoveryCodes: Int

    public static func load(realm: Realm, subjectID: Int64, identity: Identity) async throws -> SecurityStatus {
        let c = try await identity.store.credentials(realm: realm, id: subjectID)
        let on = c?.hasSecondFactor == true
        return SecurityStatus(
            email: c?.email, hasSecondFactor: on,
            unusedRecoveryCodes: on ? try await identity.store.unusedRecoveryCodes(realm: realm, id: subjectID) : 0)
    }
}
