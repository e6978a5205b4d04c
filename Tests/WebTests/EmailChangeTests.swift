import Bootstrap
import Domain
import Features
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A new login e-mail takes effect only from the link sent to it: 24 hours, once, the newest request only.
@Suite("Login e-mail change confirmed by the new address")
struct EmailChangeTests {
    /// Logs `email` in, asks for `newEmail` on the Security page and returns the link's path and token.
    static func ask(_ b: Browser, _ h: WebHarness, _ email: String, _ newEmail: String) async throws -> (
        path: String, token: String
    ) {
        try await b.logIn(email, "correct horse battery")
        try await b.get("/security")
        #expect(
            try await b.post("/security/email", [("newEmail", newEmail), ("emailPassword", "correct horse battery")])
                .location == "/security")
        let mail = try h.lastEmail()
        #expect(mail.contains("To: <\(newEmail)>"))
        let path = String(try h.link("/confirm-email?token=", in: mail).dropFirst(h.config.publicBaseURL.count))
        return (path, String(path.split(separator: "=")[1]))
    }

    static func loginEmail(_ h: WebHarness, _ id: Int64) async throws -> String? {
        try await h.deps.store.read { r in try await r.client(id: id) }?.email.value
    }

    @Test func theLinkExpiresAfter24HoursAndOnlyTheNewestRequestCounts() async throws {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro")
        try await h.closingDatabase {
            try await h.run { c in
                let b = Browser(c)
                let first = try await Self.ask(b, h, "ana@example.ro", "ana.first@example.ro")
                let second = try await Self.ask(Browser(c), h, "ana@example.ro", "ana.second@example.ro")
                // The language links of the confirmation page keep its token.
                let page = try await b.get(second.path)
                #expect(page.body.contains(#"href="?token=\#(second.token)&amp;lang=ro""#))
                #expect(
                    try await Browser(c).get(second.path + "&lang=ro").body.visibleText.contains(
                        "Confirmați noua adresă de e-mail de autentificare"))
                let old = try await b.get(first.path)
                #expect(
                    old.status == .gone
                        && old.body.visibleText.contains("This confirmation link has expired or was already used."))
                #expect(try await b.post("/confirm-email", [("token", first.token)]).status == .gone)

                h.clock.advance(seconds: 24 * 3600 + 1)
                #expect(try await b.get(second.path).status == .gone)
                #expect(
                    try await Browser(c).post("/confirm-email", [("token", second.token)], csrf: "").status
                        == .forbidden)  // CSRF first
                let late = Browser(c)
                try await late.get("/login")
                #expect(try await late.post("/confirm-email", [("token", second.token)]).status == .gone)
                #expect(try await Self.loginEmail(h, ana.id) == "ana@example.ro")
                let audit = try await h.deps.store.read { r in try await r.audit(clientID: ana.id, limit: 20) }.map(
                    \.action)
                #expect(
                    audit.filter { $0 == "client.email_change_requested" }.count == 2
                        && !audit.contains("client.email_changed"))
            }
        }
    }

    @Test func anAddressTakenMeanwhileIsRefusedAndOtherSessionsEndOnTheChange() async throws {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        try await h.closingDatabase {
            try await h.run { c in
                let laptop = Browser(c)
                let taken = try await Self.ask(laptop, h, "ana@example.ro", "shared@example.ro")
                _ = try await h.fixtures.client("shared@example.ro")
                let phone = Browser(c)
                try await phone.get(taken.path)
                let refused = try await phone.post("/confirm-email", [("token", taken.token)])
                #expect(
                    refused.status == .conflict
                        && refused.body.visibleText.contains("An account with this e-mail already exists"))
                #expect(try await Self.loginEmail(h, ana.id) == "ana@example.ro")

                // Confirmed from another browser (the phone, not logged in): every session of the account ends.
                let link = try await Self.ask(laptop, h, "ana@example.ro", "ana.new@example.ro")
                try await phone.get(link.path)
                let done = try await phone.post("/confirm-email", [("token", link.token)])
                #expect(done.status == .ok && done.body.contains(#"href="/login""#))
                #expect(try await Self.loginEmail(h, ana.id) == "ana.new@example.ro")
                #expect(try await laptop.get("/security").location?.hasPrefix("/login") == true)
                #expect(try await Browser(c).logIn("ana@example.ro", "correct horse battery").status == .unauthorized)
                #expect(
                    try await Browser(c).logIn("ana.new@example.ro", "correct horse battery").location == "/services")
                let notice = try h.lastEmail()
                #expect(notice.contains("To: <ana@example.ro>") && notice.contains("was changed to ana.new@example.ro"))
            }
        }
    }

    @Test func aPasswordChangeOrResetCancelsAnUnconfirmedChange() async throws {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        let identity = try LiveServices(config: h.config, deps: h.deps, database: h.db).identity
        try await h.closingDatabase {
            try await h.run { c in
                let b = Browser(c)
                let link = try await Self.ask(b, h, "ana@example.ro", "thief@example.ro")
                try await b.get("/security")
                #expect(
                    try await b.post(
                        "/security/password",
                        [("currentPassword", "correct horse battery"), ("newPassword", "a brand new password")]
                    ).location == "/security")
                #expect(try await Browser(c).get(link.path).status == .gone)

                try await b.get("/security")
                #expect(
                    try await b.post(
                        "/security/email",
                        [("newEmail", "thief@example.ro"), ("emailPassword", "a brand new password")]
                    ).location == "/security")
                let again = String(
                    try h.link("/confirm-email?token=", in: try h.lastEmail()).dropFirst(h.config.publicBaseURL.count))
                try await identity.store.insertPasswordReset(
                    tokenHash: h.deps.digest.sha256Hex("reset-token"), clientID: ana.id,
                    expiresAt: h.clock.now().addingTimeInterval(600), at: h.clock.now())
                _ = try await ResetPassword(identity).complete(
                    token: "reset-token", newPassword: "yet another password")
                #expect(try await Browser(c).get(again).status == .gone)
                #expect(try await Self.loginEmail(h, ana.id) == "ana@example.ro")
            }
        }
    }

    @Test func aForgedOrShortTokenChangesNothing() async throws {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        try await h.closingDatabase {
            try await h.run { c in
                _ = try await Self.ask(Browser(c), h, "ana@example.ro", "ana.new@example.ro")
                let b = Browser(c)
                #expect(try await b.get("/confirm-email?token=x").status == .gone)
                #expect(try await b.get("/confirm-email").status == .gone)
                try await b.get("/login")
                #expect(
                    try await b.post("/confirm-email", [("token", String(repeating: "A", count: 43))]).status == .gone)
                #expect(try await Self.loginEmail(h, ana.id) == "ana@example.ro")
            }
        }
    }
}
