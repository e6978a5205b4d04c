import Bootstrap
import Domain
import Features
import Foundation
import Hummingbird
import HummingbirdTesting
import Storage
import TestSupport
import Testing

@testable import Web

@Suite("Client area over HTTP, in process on SQLite")
struct ClientAreaTests {
    static let signup: [(String, String)] = [
        ("email", "ana@example.ro"), ("password", "correct horse battery"), ("phone", "0722123456"), ("language", "en"),
        ("p_kind", "person"), ("p_name", "Ana Popescu"), ("p_street", "Str. Memorandumului 10"),
        ("p_city", "Cluj-Napoca"), ("p_county", "CJ"),
        ("p_postalCode", "400114"), ("p_country", "RO"), ("p_cnp", "2700116065277"),
    ]

    @Test func signUpLeavesSMSOffUnlessTickedAndRecordsTheConsentSource() async throws {
        let h = try await WebHarness.make()
        try await h.run { c in
            let b = Browser(c)
            let form = try await b.get("/signup")
            #expect(form.status == .ok)
            #expect(form.body.contains(#"name="smsOptIn" type="checkbox" value="1""#))
            #expect(!form.body.contains(#"name="smsOptIn" type="checkbox" value="1" checked"#))

            // Bad input: every field message at once, status 422, nothing created.
            let bad = try await b.post(
                "/signup",
                Self.signup.map {
                    $0.0 == "p_cnp" ? ($0.0, "1234567890123") : $0.0 == "email" ? ($0.0, "not-an-email") : $0
                } + [("smsOptIn", "1"), ("phone", "")])
            #expect(bad.status == .unprocessableContent)
            #expect(
                bad.body.contains(#"id="e-email""#) && bad.body.contains(#"id="e-p_cnp""#)
                    && bad.body.contains(#"id="e-smsOptIn""#))
            #expect(bad.body.visibleText.contains("SMS notifications need a valid mobile number."))
            #expect(
                try await h.deps.store.read { r in try await r.searchClients(query: nil, limit: 10, offset: 0) }.isEmpty
            )

            let ok = try await b.post("/signup", Self.signup)
            #expect(ok.status == .seeOther && ok.location == "/services")
            let cookie = b.lastSetCookies.first { $0.hasPrefix("__Host-hostico_session=") } ?? ""
            #expect(
                cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure")
                    && cookie.contains("Path=/"))
            let services = try await b.get("/services")
            #expect(services.body.visibleText.contains("Welcome to Hostico"))
            let client = try #require(
                try await h.deps.store.read { r in try await r.client(email: try EmailAddress.parse("ana@example.ro"))
                }?.client)
            #expect(client.sms.optedIn == false && client.sms.source == .signup)
        }
    }

    /// The SMS consent promises the hours SMS are really sent in: the configured window, not a fixed text.
    @Test func theSMSHintNamesTheConfiguredSendingWindow() async throws {
        for (environment, hours) in [
            (["SMS_WINDOW_START": "8", "SMS_WINDOW_END": "20"], "between 08:00 and 20:00"),
            (["SMS_QUIET_START": "10", "SMS_QUIET_END": "18"], "between 10:00 and 18:00"),
        ] {
            let h = try await WebHarness.make(environment: environment)
            #expect(h.config.notifications.sendingWindow.startHour == (hours.contains("08:00") ? 8 : 10))
            let romanian = "între " + hours.dropFirst("between ".count).replacingOccurrences(of: "and", with: "și")
            try await h.run { c in
                let english = try await Browser(c).get("/signup").body.visibleText
                #expect(english.contains("or a hosting account is suspended, \(hours). Replies are not read."))
                let ro = try await Browser(c).get("/signup?lang=ro").body.visibleText
                #expect(ro.contains(romanian))
            }
        }
    }

    /// Issue 19: the Security page (and the password confirmation) appeared in English for a Romanian client; they
    /// speak the client's language as the other pages do.
    @Test func theSecurityPagesSpeakTheClientsLanguage() async throws {
        let h = try await WebHarness.make()
        _ = try await h.fixtures.client("ioana@example.ro", language: "ro")
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("ioana@example.ro", "correct horse battery")
            let security = try await b.get("/security")
            #expect(
                security.status == .ok && security.body.contains("<title>Securitate"), "\(security.body.prefix(400))")
            let refused = try await b.post(
                "/security/password", [("currentPassword", "wrong one"), ("newPassword", "short")])
            #expect(
                refused.status == .unprocessableContent && refused.body.visibleText.contains("Parola nu este corectă."))
            #expect(
                refused.body.visibleText.contains(
                    "Parola trebuie să aibă între 10 și 72 de caractere (literele cu diacritice contează dublu)."))
        }
    }

    @Test func myDetailsRefusesSMSWithoutAMobileAndRecordsEachChange() async throws {
        let h = try await WebHarness.make()
        let client = try await h.fixtures.client("ana@example.ro", phone: "0722123456", language: "en")
        try await h.run { c in
            let b = Browser(c)
            #expect(try await b.logIn("ana@example.ro", "correct horse battery").location == "/services")
            try await b.get("/details")
            let refused = try await b.post(
                "/details", [("phone", "0212345678"), ("language", "en"), ("timeZone", ""), ("smsOptIn", "1")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.visibleText.contains("SMS notifications need a valid mobile number."))
            #expect(try await h.deps.store.read { r in try await r.client(id: client.id) }?.sms.optedIn == false)

            h.clock.advance(seconds: 60)
            let saved = try await b.post(
                "/details",
                [("phone", "0722123456"), ("language", "ro"), ("timeZone", "Europe/Bucharest"), ("smsOptIn", "1")])
            #expect(saved.status == .seeOther)
            let page = try await b.get("/details")
            #expect(page.body.contains(#"name="smsOptIn" type="checkbox" value="1" checked"#))
            #expect(page.body.visibleText.contains("Salvat."))  // the language just chosen
            h.clock.advance(seconds: 60)
            try await b.post("/details", [("phone", "0722123456"), ("language", "ro"), ("timeZone", ""), ("_x", "")])
            let consents = try await h.deps.store.read { r in try await r.smsConsents(clientID: client.id) }
            #expect(consents.map(\.optedIn) == [false, true, false])
            #expect(consents.map(\.source) == [.myDetails, .myDetails, .signup])
        }
    }

    @Test func loginGivesOneAnswerForUnknownAndWrongAndLocksAfterFiveFailures() async throws {
        let h = try await WebHarness.make()
        try await h.fixtures.client("ana@example.ro", language: "en")
        try await h.run { c in
            let b = Browser(c)
            let unknown = try await b.logIn("nobody@example.ro", "whatever password")
            let wrong = try await b.logIn("ana@example.ro", "wrong password!")
            #expect(unknown.status == .unauthorized && wrong.status == .unauthorized)
            #expect(unknown.body.visibleText.contains("The e-mail or the password is not right."))
            #expect(wrong.body.visibleText.contains("The e-mail or the password is not right."))
            for _ in 0..<4 { try await b.logIn("ana@example.ro", "wrong password!") }
            let locked = try await b.logIn("ana@example.ro", "correct horse battery")
            #expect(locked.status == .tooManyRequests)
            #expect(locked.body.visibleText.contains("Too many failed attempts"))
            h.clock.advance(seconds: 15 * 60 + 1)
            #expect(try await b.logIn("ana@example.ro", "correct horse battery").location == "/services")
        }
    }

    @Test func sessionsRotateEndOnLogoutAndTimeOut() async throws {
        let h = try await WebHarness.make()
        try await h.fixtures.client("ana@example.ro", language: "en")
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            let first = try #require(b.cookies["__Host-hostico_session"])
            #expect(try await b.get("/services").status == .ok)
            #expect(try await b.post("/logout", []).location == "/login")
            #expect(b.cookies["__Host-hostico_session"] == nil)
            // The old cookie is dead on the server too, and the next login gets a new id.
            b.cookies["__Host-hostico_session"] = first
            #expect(try await b.get("/services").location?.hasPrefix("/login") == true)
            b.cookies["__Host-hostico_session"] = nil
            try await b.logIn("ana@example.ro", "correct horse battery")
            #expect(b.cookies["__Host-hostico_session"] != nil && b.cookies["__Host-hostico_session"] != first)

            try await b.logIn("ana@example.ro", "correct horse battery")
            h.clock.advance(seconds: 31 * 60)
            // The login page says the session ended, and leads back to the page.
            let timedOut = try #require(try await b.get("/invoices").location)
            #expect(timedOut == "/login?next=%2Finvoices&ended=1")
            let login = try await b.get(timedOut)
            #expect(login.body.visibleText.contains("Your session ended. Log in to continue where you were."))
            #expect(login.body.contains(#"name="return_to" value="/invoices""#))

            // The sweeper deletes sessions idle past the timeout; a live one stays.
            let other = Browser(c)
            try await other.logIn("ana@example.ro", "correct horse battery")
            h.clock.advance(seconds: 29 * 60)
            try await b.logIn("ana@example.ro", "correct horse battery")
            h.clock.advance(seconds: 2 * 60)
            let identity = try LiveServices(config: h.config, deps: h.deps, database: h.db).identity
            try await identity.sweepSessions()
            let left = try await h.db.withReader { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM web_sessions").first()!.decode(column: "n", as: Int64.self)
            }
            #expect(left == 1)
            #expect(try await b.get("/services").status == .ok)
        }
    }

    @Test func formsWithoutTheCSRFTokenAreRefusedAndChangeNothing() async throws {
        let h = try await WebHarness.make()
        let client = try await h.fixtures.client("ana@example.ro", language: "en")
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            let forged = try await b.post(
                "/details", [("phone", "0722123456"), ("language", "hi"), ("smsOptIn", "1")], csrf: "0000")
            #expect(forged.status == .forbidden)
            let after = try await h.deps.store.read { r in try await r.client(id: client.id) }
            #expect(after?.language == .en && after?.sms.optedIn == false)
            #expect(
                try await b.post(
                    "/login", [("email", "ana@example.ro"), ("password", "correct horse battery")], csrf: ""
                ).status == .forbidden)
        }
    }

    @Test func twoFactorSetUpLoginReplayAndRecoveryCodes() async throws {
        let h = try await WebHarness.make()
        try await h.fixtures.client("ana@example.ro", language: "en")
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            let setup = try await b.get("/security/2fa")
            #expect(
                setup.body.contains("<svg") && setup.body.contains("otpauth://totp/Hostico:ana%40example.ro?secret="))
            let secret = setup.body.totpSecret
            #expect(Base32.decode(secret)?.count == 20)
            #expect(
                try await b.post("/security/2fa", [("password", "correct horse battery"), ("code", "000000")]).status
                    == .unprocessableContent)
            // Turning 2FA on asks for the password (issue 18.8): a right code alone does not do it.
            let noPassword = try await b.post("/security/2fa", [("code", h.totpCode(secretBase32: secret))])
            #expect(noPassword.status == .unprocessableContent && noPassword.body.contains(#"id="e-password""#))
            #expect(
                try await b.post(
                    "/security/2fa", [("password", "wrong password 1"), ("code", h.totpCode(secretBase32: secret))]
                ).status == .unprocessableContent)
            let enabled = try await b.post(
                "/security/2fa", [("password", "correct horse battery"), ("code", h.totpCode(secretBase32: secret))])
            let codes = enabled.body.components(separatedBy: "<li><code>").dropFirst().map {
                String($0.prefix { $0 != "<" })
            }
            #expect(codes.count == 10 && Set(codes).count == 10)
            // 80 bits each (issue 18.8): 16 base32 characters in four groups.
            #expect(
                codes.allSatisfy {
                    $0.range(of: #"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$"#, options: .regularExpression)
                        != nil
                })
            #expect(try await b.get("/security").body.visibleText.contains("Two-factor authentication is on."))
            try await b.post("/logout", [])

            // Password, then the code; the code just used cannot be used again (replay), the next step's can.
            let usedCode = h.totpCode(secretBase32: secret)
            let afterPassword = try await b.logIn("ana@example.ro", "correct horse battery")
            #expect(afterPassword.location == "/login/code")
            let halfWay = b.cookies["__Host-hostico_session"]
            #expect(try await b.get("/services").location == "/login/code")
            try await b.get("/login/code")
            #expect(try await b.post("/login/code", [("code", usedCode)]).status == .unauthorized)
            h.clock.advance(seconds: 30)
            #expect(
                try await b.post("/login/code", [("code", h.totpCode(secretBase32: secret))]).location == "/services")
            #expect(b.cookies["__Host-hostico_session"] != halfWay)  // rotated when the second factor passed
            try await b.post("/logout", [])

            // A recovery code works once.
            try await b.logIn("ana@example.ro", "correct horse battery")
            try await b.get("/login/code")
            // Typed in lower case without dashes, it is the same code.
            #expect(
                try await b.post(
                    "/login/code", [("code", codes[0].lowercased().replacingOccurrences(of: "-", with: " "))]
                ).location == "/services")
            try await b.post("/logout", [])
            try await b.logIn("ana@example.ro", "correct horse battery")
            try await b.get("/login/code")
            #expect(try await b.post("/login/code", [("code", codes[0])]).status == .unauthorized)
        }
    }

    @Test func passwordResetByEmailWorksOnceAndEndsOtherSessions() async throws {
        let h = try await WebHarness.make()
        try await h.fixtures.client("ana@example.ro", language: "ro")
        try await h.run { c in
            let other = Browser(c)
            try await other.logIn("ana@example.ro", "correct horse battery")
            let b = Browser(c)
            try await b.get("/forgot-password")
            let unknown = try await b.post("/forgot-password", [("email", "nobody@example.ro")])
            try await b.get("/forgot-password")
            let known = try await b.post("/forgot-password", [("email", "ana@example.ro")])
            #expect(unknown.body.visibleText == known.body.visibleText)
            let mail = try h.lastEmail()
            #expect(mail.contains("Subject: Resetarea parolei Hostico") && mail.contains("în decurs de o oră"))
            let link = try h.link("/reset-password?token=", in: mail)
            let path = String(link.dropFirst("https://billing.example.test".count))
            try await b.get(path)
            let token = String(path.split(separator: "=")[1])
            #expect(
                try await b.post("/reset-password", [("token", token), ("password", "short")]).status
                    == .unprocessableContent)
            #expect(
                try await b.post("/reset-password", [("token", token), ("password", "a brand new password")]).status
                    == .ok)
            try await b.get(path)  // the same link, opened again
            #expect(
                try await b.post("/reset-password", [("token", token), ("password", "another new password")]).status
                    == .gone)
            #expect(try await other.get("/services").location?.hasPrefix("/login") == true)
            #expect(try await b.logIn("ana@example.ro", "a brand new password").location == "/services")
        }
    }
}
