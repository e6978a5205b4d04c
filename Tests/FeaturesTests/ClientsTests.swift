import Domain
import Features
import Foundation
import Storage
import TestSupport
import Testing

/// Rules of the Clients area that the surfaces used to hold.
@Suite("Clients: details and who may change them", .serialized)
struct ClientsTests {
    static func session(_ client: Client, fromMail: Bool, at: Date) -> WebSession {
        WebSession(
            idHash: "h", realm: .client, subjectID: client.id, stage: .full, csrfToken: "c", createdAt: at,
            lastSeenAt: at, fromMail: fromMail)
    }

    /// A session opened from an e-mail link reads and pays; the phone and SMS consent wait for the password.
    @Test(arguments: [DatabaseKind.sqlite, .postgres])
    func aSessionFromAMailLinkCannotChangeTheDetails(kind: DatabaseKind) async throws {
        let w = try await LifecycleWorld.make(kind)
        let change = UpdateClientDetails.Input(phone: "0722000111", language: "ro", smsOptIn: true)
        let now = w.clock.now()
        await #expect(throws: PasswordConfirmationRequired.self) {
            try await UpdateClientDetails(w.deps)(
                clientID: w.client.id, change, source: .myDetails, actor: .client(w.client.id),
                session: Self.session(w.client, fromMail: true, at: now))
        }
        var stored = try #require(try await w.deps.store.read { r in try await r.client(id: w.client.id) })
        #expect(stored.sms.optedIn == false && stored.language == w.client.language && stored.phone == w.client.phone)
        #expect(
            try await w.deps.store.read { r in try await r.audit(clientID: w.client.id, limit: 50) }.contains {
                $0.action == "client.details_changed"
            } == false)

        // The same change from a session that typed the password goes through, audited.
        _ = try await UpdateClientDetails(w.deps)(
            clientID: w.client.id, change, source: .myDetails, actor: .client(w.client.id),
            session: Self.session(w.client, fromMail: false, at: now))
        stored = try #require(try await w.deps.store.read { r in try await r.client(id: w.client.id) })
        #expect(stored.sms.optedIn && stored.language == .ro && stored.phone?.e164 == "+40722000111")
        #expect(
            try await w.deps.store.read { r in try await r.audit(clientID: w.client.id, limit: 50) }.contains {
                $0.action == "client.details_changed"
            })
        await w.db.close()
    }
}
