import Bootstrap
import Domain
import Features
import Foundation
import Hummingbird
import HummingbirdTesting
import SQLKit
import Storage
import TestSupport
import Testing

@testable import Web

/// Log in from mail: the invoice number in an invoice e-mail is a link that logs the client in for a week.
@Suite("Log in from mail")
struct MailLinkTests {
    struct Setup {
        let h: WebHarness
        let ana: Client
        let proforma: ProformaInvoice
        let links: MailLinks
        let identity: Identity
        let mailer: any AccountMailer
    }

    /// Ana (English) with an unpaid order proforma.
    static func setup() async throws -> Setup {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        let order = try await PlaceOrder(h.deps)(
            clientID: ana.id, try .parse(planID: try await h.fixtures.plan().id, cycle: "monthly", domain: "ana.ro"),
            billingProfileID: nil, actor: .client(ana.id))
        let identity = try LiveServices(config: h.config, deps: h.deps, database: h.db).identity
        return Setup(
            h: h, ana: ana, proforma: order.proforma, links: MailLinks(identity), identity: identity,
            mailer: try LiveServices(config: h.config, deps: h.deps, database: h.db).mailer)
    }

    /// Runs a token-level test against a fresh setup and closes the database whatever happened.
    static func withSetup(_ body: (Setup) async throws -> Void) async throws {
        let s = try await setup()
        try await s.h.closingDatabase { try await body(s) }
    }

    static func path(_ url: String) -> String { String(url.dropFirst("https://billing.example.test".count)) }

    // MARK: Tokens on a manual clock

    @Test func aTokenIsStoredOnlyHashedAndWorksForSevenDaysFromTheEmail() async throws {
        try await Self.withSetup { s in
            let invoice = InvoiceRef(.proforma, s.proforma.id)
            let url = try await s.links.issue(
                clientID: s.ana.id, invoice: invoice, messageID: 7,
                links: ClientAreaLinks(baseURL: "https://billing.example.test"))
            let token = String(url.split(separator: "/").last!)
            #expect(url == "https://billing.example.test/mail/proforma/\(s.proforma.id)/\(token)")
            #expect(token.count == 43)  // 256 bits, base64url
            let rows = try await s.h.db.withReader { sql in
                try await sql.raw("SELECT token_hash, message_id FROM mail_links").all()
            }
            #expect(rows.count == 1)
            #expect(try rows[0].decode(column: "token_hash", as: String.self) == s.h.deps.digest.sha256Hex(token))
            #expect(try rows[0].decode(column: "message_id", as: Int64.self) == 7)

            // Usable more than once inside the week, up to the last second of it.
            guard case .session = try await s.links.open(token: token, invoice: invoice, ip: "192.0.2.1") else {
                Issue.record("a fresh link opens a session")
                return
            }
            s.h.clock.advance(seconds: 7 * 86400)
            guard
                case .session(_, let session) = try await s.links.open(token: token, invoice: invoice, ip: "192.0.2.1")
            else {
                Issue.record("the link works on its 7th day")
                return
            }
            #expect(session.fromMail && session.subjectID == s.ana.id && session.stage == .full)
            s.h.clock.advance(seconds: 1)
            guard case .login = try await s.links.open(token: token, invoice: invoice, ip: "192.0.2.1") else {
                Issue.record("7 days and 1 second later it leads to login")
                return
            }
            #expect(try await s.identity.store.mailLinks(clientID: s.ana.id, limit: 5).first?.uses == 2)
        }
    }

    @Test func passwordChangeResetTwoFactorAndStaffRevokeTheLinks() async throws {
        try await Self.withSetup { s in
            let invoice = InvoiceRef(.proforma, s.proforma.id)
            func issue() async throws -> String {
                String(
                    try await s.links.issue(
                        clientID: s.ana.id, invoice: invoice, messageID: nil, links: ClientAreaLinks(baseURL: "")
                    ).split(
                        separator: "/"
                    ).last!)
            }
            func works(_ token: String) async throws -> Bool {
                if case .session = try await s.links.open(token: token, invoice: invoice, ip: "192.0.2.2") {
                    return true
                }
                return false
            }
            let (_, session) = try await s.identity.startSession(clientID: s.ana.id)

            let beforePassword = try await issue()
            try await ChangePassword(s.identity)(session, current: "correct horse battery", new: "a new horse battery")
            #expect(try await works(beforePassword) == false)

            let beforeStaff = try await issue()
            let other = try await issue()
            #expect(
                try await s.links.revoke(
                    clientID: s.ana.id,
                    linkID: try await s.identity.store.mailLinks(clientID: s.ana.id, limit: 1)[0].id, by: .staff(1))
                    == 1)
            #expect(try await works(beforeStaff) == true)  // the newest was revoked, not this one
            #expect(try await works(other) == false)
            #expect(try await s.links.revoke(clientID: s.ana.id, by: .staff(1)) == 1)
            #expect(try await works(beforeStaff) == false)

            let beforeReset = try await issue()
            try await s.identity.store.insertPasswordReset(
                tokenHash: s.h.deps.digest.sha256Hex("reset-token"), clientID: s.ana.id,
                expiresAt: s.h.clock.now().addingTimeInterval(600), at: s.h.clock.now())
            _ = try await ResetPassword(s.identity).complete(token: "reset-token", newPassword: "yet another password")
            #expect(try await works(beforeReset) == false)

            let beforeEmail = try await issue()
            let (_, current) = try await s.identity.startSession(clientID: s.ana.id)
            let someone = try await s.h.fixtures.client("someone@example.ro")
            let change = ChangeEmail(s.identity)
            await #expect(throws: UseCaseError.self) {
                try await change.request(
                    current, password: "yet another password", newEmail: someone.email.value,
                    links: ClientAreaLinks(baseURL: s.h.config.publicBaseURL), mailer: s.mailer)
            }
            #expect(try await works(beforeEmail) == true)  // a refused change revokes nothing
            try await change.request(
                current, password: "yet another password", newEmail: "ana.new@example.ro",
                links: ClientAreaLinks(baseURL: s.h.config.publicBaseURL), mailer: s.mailer)
            #expect(try await works(beforeEmail) == true)  // nor does asking: the new address has not confirmed yet
            let token = String(try s.h.link("/confirm-email?token=", in: try s.h.lastEmail()).split(separator: "=")[1])
            #expect(
                try await change.confirm(token: token, session: current, mailer: s.mailer).value == "ana.new@example.ro"
            )
            #expect(try await works(beforeEmail) == false)

            let beforeTwoFactor = try await issue()
            let (_, fresh) = try await s.identity.startSession(clientID: s.ana.id)
            let pending = try await SetUpSecondFactor(s.identity).begin(fresh)
            _ = try await SetUpSecondFactor(s.identity).confirm(
                fresh, code: s.h.totpCode(secretBase32: pending.secretBase32), password: "yet another password")
            #expect(try await works(beforeTwoFactor) == false)
            let reasons = Set(
                try await s.identity.store.mailLinks(clientID: s.ana.id, limit: 10).compactMap(\.revokedBecause))
            #expect(reasons == ["password-changed", "staff", "password-reset", "email-changed", "2fa-enabled"])
            // A link issued after the revocation works as usual, except that 2FA now sends it to the login page.
            let after = try await issue()
            guard case .login = try await s.links.open(token: after, invoice: invoice, ip: "192.0.2.2") else {
                Issue.record("a 2FA client gets the login page")
                return
            }
        }
    }

    // MARK: E-mails carry the links

    @Test func invoiceAndPaymentEmailsMakeTheNumberALinkFromThePublicBaseURL() async throws {
        try await Self.withSetup { s in
            let delivery = try s.h.config.notifications.makeDelivery(
                deps: s.h.deps, database: s.h.db, publicBaseURL: s.h.config.publicBaseURL, links: s.links)
            _ = try await delivery.runOnce()
            let invoiceMail = try #require(
                try s.h.emails().first { $0.contains("Proforma invoice \(s.proforma.number)") })
            let link = try s.h.link("/mail/proforma/", in: invoiceMail)
            #expect(link.hasPrefix("https://billing.example.test/mail/proforma/\(s.proforma.id)/"))
            #expect(invoiceMail.contains("\(s.proforma.number) <\(link)>"))  // plain-text part
            #expect(
                invoiceMail.contains(
                    #"<a href="\#(link)" style="color:#0b5cad;font-weight:bold">\#(s.proforma.number)</a>"#))  // HTML part

            let paid = try await s.h.fixtures.pay(s.proforma)
            let fiscal = try #require(paid.fiscalInvoice)
            _ = try await delivery.runOnce()
            let paymentMail = try #require(
                try s.h.emails().first { $0.contains("Payment received: invoice \(fiscal.displayNumber)") })
            let fiscalLink = try s.h.link("/mail/fiscal/", in: paymentMail)
            #expect(fiscalLink.hasPrefix("https://billing.example.test/mail/fiscal/\(fiscal.id)/"))
            #expect(paymentMail.contains("\(fiscal.displayNumber) <\(fiscalLink)>"))
            // Bound to the e-mail that carried it.
            let stored = try await s.identity.store.mailLinks(clientID: s.ana.id, limit: 5)
            let messageIDs = try await SQLMessageStore(database: s.h.db).messages(clientID: s.ana.id, limit: 10).filter
            { $0.channel == .email }.map(\.id)
            #expect(stored.count == 2 && stored.allSatisfy { $0.messageID.map(messageIDs.contains) == true })
        }
    }

    // MARK: Clicks over HTTP

    @Test func aClickLogsInShowsTheInvoiceAndAccountChangesAskForThePassword() async throws {
        let s = try await Self.setup()
        let url = try await s.links.issue(
            clientID: s.ana.id, invoice: InvoiceRef(.proforma, s.proforma.id), messageID: nil,
            links: ClientAreaLinks(baseURL: "https://billing.example.test"))
        try await s.h.run { c in
            let b = Browser(c)
            let landing = try await b.get(Self.path(url))
            #expect(landing.status == .seeOther && landing.location == "/invoices/proforma/\(s.proforma.id)")
            #expect(landing.headers[.referrerPolicy] == "no-referrer" && landing.headers[.cacheControl] == "no-store")
            #expect(b.lastSetCookies.contains { $0.hasPrefix("__Host-hostico_session=") && $0.contains("HttpOnly") })
            let invoice = try await b.get(landing.location!)
            #expect(invoice.status == .ok && invoice.body.visibleText.contains(s.proforma.number))
            #expect(invoice.body.visibleText.contains("Pay now with the demo gateway"))
            #expect(try await b.get("/invoices/proforma/\(s.proforma.id)/pdf").status == .ok)
            #expect(try await b.get("/invoices/proforma/\(s.proforma.id)/billing-data").status == .ok)
            #expect(try await b.get("/services").body.visibleText.contains("ana.ro"))

            // Password, 2FA, phone and SMS consent first ask for the password.
            #expect(try await b.get("/security").location == "/confirm-password?next=%2Fsecurity")
            #expect(
                try await b.post(
                    "/security/password",
                    [("currentPassword", "correct horse battery"), ("newPassword", "stolen and changed")]
                ).location == "/confirm-password?next=%2Fsecurity")
            #expect(try await b.get("/security/2fa").location == "/confirm-password?next=%2Fsecurity%2F2fa")
            let details = try await b.get("/details")
            #expect(details.body.visibleText.contains("You came from a link in an e-mail: confirm your password"))
            #expect(!details.body.contains(#"name="smsOptIn""#) && !details.body.contains(#"name="phone""#))
            #expect(
                try await b.post("/details", [("phone", "0799000000"), ("language", "en"), ("smsOptIn", "1")]).location
                    == "/confirm-password?next=%2Fdetails")
            #expect(try await s.h.deps.store.read { r in try await r.client(id: s.ana.id) }?.sms.optedIn == false)
            // Billing profiles too (issue 18.8): the proforma can be edited, but not saved as a new profile.
            #expect(
                try await b.get("/details/profiles/new").location
                    == "/confirm-password?next=%2Fdetails%2Fprofiles%2Fnew")
            let company = [
                ("kind", "legal_entity"), ("name", "Firma Mea SRL"), ("street", "Str. 1"), ("city", "Cluj-Napoca"),
                ("county", "CJ"), ("country", "RO"), ("cui", "18547290"),
            ]
            #expect(
                try await b.post("/details/profiles/new", company).location
                    == "/confirm-password?next=%2Fdetails%2Fprofiles%2Fnew")
            #expect(
                try await b.post(
                    "/invoices/proforma/\(s.proforma.id)/billing-data",
                    [("source", "new"), ("saveProfile", "1"), ("step", "save")] + company
                ).location?.hasPrefix("/confirm-password") == true)
            #expect(try await s.h.deps.store.read { r in try await r.billingProfiles(clientID: s.ana.id) }.count == 1)
            // Ordering, cancelling and changing plans too (issue 19): they commit money or end a service.
            let service = try #require(
                try await s.h.deps.store.read { r in try await r.services(clientID: s.ana.id, forUpdate: false) }.first)
            #expect(try await b.get("/order").location == "/confirm-password?next=%2Forder")
            #expect(
                try await b.post("/order", [("plan0", "\(service.planID):monthly"), ("domain0", "x.ro")]).location
                    == "/confirm-password?next=%2Forder")
            #expect(
                try await b.post("/services/\(service.id)/cancel", []).location
                    == "/confirm-password?next=%2Fservices%2F\(service.id)%2Fcancel")
            #expect(
                try await b.get("/services/\(service.id)/plan").location
                    == "/confirm-password?next=%2Fservices%2F\(service.id)%2Fplan")
            #expect(
                try await s.h.deps.store.read { r in try await r.services(clientID: s.ana.id, forUpdate: false) }.count
                    == 1)

            try await b.get("/confirm-password?next=%2Fsecurity")
            #expect(
                try await b.post("/confirm-password", [("password", "wrong password"), ("return_to", "/security")])
                    .status == .unauthorized)
            let confirmed = try await b.post(
                "/confirm-password", [("password", "correct horse battery"), ("return_to", "/security")])
            #expect(confirmed.location == "/security")
            #expect(try await b.get("/security").status == .ok)
            #expect(try await b.get("/details").body.contains(#"name="smsOptIn""#))

            // The login e-mail is changed on the Security page with the password, and takes effect once the new
            // address confirms; then the mail link stops working.
            try await b.get("/security")
            let taken = try await b.post(
                "/security/email", [("newEmail", "not an e-mail"), ("emailPassword", "wrong")])
            #expect(
                taken.status == .unprocessableContent && taken.body.contains(#"id="e-newEmail""#)
                    && taken.body.contains(#"id="e-emailPassword""#))
            let same = try await b.post(
                "/security/email", [("newEmail", "ANA@example.ro"), ("emailPassword", "correct horse battery")])
            #expect(
                same.status == .unprocessableContent
                    && same.body.visibleText.contains("This is already your login e-mail."))
            #expect(
                try await b.post(
                    "/security/email",
                    [("newEmail", "ana.popescu@example.com"), ("emailPassword", "correct horse battery")]
                ).location == "/security")
            #expect(
                try await b.get("/security").body.visibleText.contains(
                    "We sent a link to the new address. Your login e-mail changes when you open it"))
            #expect(
                try await s.h.deps.store.read { r in try await r.client(id: s.ana.id) }?.email.value == "ana@example.ro"
            )
            let confirmation = try s.h.lastEmail()
            #expect(
                confirmation.contains("To: <ana.popescu@example.com>")
                    && confirmation.contains("Subject: Confirm your new Hostico login e-mail"))
            let link = Self.path(try s.h.link("/confirm-email?token=", in: confirmation))
            // Opening the link only asks (mail scanners open links); the click changes the e-mail, once.
            let b2 = Browser(c)
            let ask = try await b2.get(link)
            #expect(
                ask.status == .ok
                    && ask.body.visibleText.contains(
                        "Make ana.popescu@example.com the login e-mail of your Hostico account?")
            )
            #expect(
                try await s.h.deps.store.read { r in try await r.client(id: s.ana.id) }?.email.value == "ana@example.ro"
            )
            let token = String(link.split(separator: "=")[1])
            let done = try await b.post("/confirm-email", [("token", token)])
            #expect(
                done.status == .ok
                    && done.body.visibleText.contains(
                        "Your login e-mail is now ana.popescu@example.com; links in earlier e-mails no longer log you in."
                    ))
            #expect(
                try await s.h.deps.store.read { r in try await r.client(id: s.ana.id) }?.email.value
                    == "ana.popescu@example.com")
            #expect(try await b.get("/security").status == .ok)  // the confirming session stays
            #expect(try await b2.post("/confirm-email", [("token", token)]).status == .gone)
            #expect(try await b2.get(link).status == .gone)
            // The previous address is told, in the client's language, what changed and what to do if it was not them.
            let notice = try s.h.lastEmail()
            #expect(
                notice.contains("To: <ana@example.ro>")
                    && notice.contains("The login e-mail of your Hostico account was changed"))
            #expect(
                notice.contains("(ana@example.ro) was changed to ana.popescu@example.com")
                    && notice.contains("contact Hostico support at once"))
            #expect(try await Browser(c).get(Self.path(url)).location?.hasPrefix("/login?next=") == true)
            #expect(
                try await Browser(c).logIn("ana.popescu@example.com", "correct horse battery").location == "/services")
        }
    }

    /// Issue 18.8: a link of another client does not end the session the browser has until the person confirms.
    @Test func aLinkOfAnotherClientAsksBeforeReplacingTheSession() async throws {
        let s = try await Self.setup()
        let ion = try await s.h.fixtures.client("ion@example.ro", language: "en")
        let order = try await PlaceOrder(s.h.deps)(
            clientID: ion.id,
            try .parse(planID: try await s.h.fixtures.plan("pro").id, cycle: "monthly", domain: "ion.ro"),
            billingProfileID: nil, actor: .client(ion.id))
        let url = try await s.links.issue(
            clientID: ion.id, invoice: InvoiceRef(.proforma, order.proforma.id), messageID: nil,
            links: ClientAreaLinks(baseURL: "https://billing.example.test"))
        try await s.h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            // Her own link keeps the full session she has (no mail session is made and none is narrowed): the
            // Security page opens without asking for the password again, and the click is in the audit log.
            let own = try await s.links.issue(
                clientID: s.ana.id, invoice: InvoiceRef(.proforma, s.proforma.id), messageID: nil,
                links: ClientAreaLinks(baseURL: "https://billing.example.test"))
            let kept = try await b.get(Self.path(own))
            #expect(
                kept.location == "/invoices/proforma/\(s.proforma.id)"
                    && !b.lastSetCookies.contains { $0.hasPrefix("__Host-hostico_session=") })
            #expect(try await b.get("/security").status == .ok)
            let audit = try await s.h.deps.store.read { r in try await r.audit(clientID: s.ana.id, limit: 20) }
            #expect(audit.contains { $0.action == "mail_link.used" && $0.after?.contains("already logged in") == true })
            let question = try await b.get(Self.path(url))
            #expect(
                question.status == .ok
                    && question.body.visibleText.contains("This browser is logged in to another Hostico account"))
            #expect(question.headers[.referrerPolicy] == "no-referrer" && question.headers[.cacheControl] == "no-store")
            // Nothing changed: still Ana.
            #expect(try await b.get("/services").body.visibleText.contains("ana.ro"))
            // Without the form's CSRF token the answer is refused.
            #expect(try await b.post(Self.path(url), [], csrf: "").status == .forbidden)
            #expect(try await b.get("/services").body.visibleText.contains("ana.ro"))
            // Confirmed: Ion's invoice, and Ana is logged out here.
            let confirmed = try await b.post(Self.path(url), [])
            #expect(confirmed.status == .seeOther && confirmed.location == "/invoices/proforma/\(order.proforma.id)")
            let services = try await b.get("/services").body.visibleText
            #expect(services.contains("ion.ro") && !services.contains("ana.ro"))
        }
    }

    @Test func aTwoFactorClientGetsTheLoginPageThenTheInvoice() async throws {
        let s = try await Self.setup()
        // 2FA is on when the e-mail is produced, so the link itself is valid: it is the 2FA check at click time that
        // sends the client to the login page.
        let invoice = InvoiceRef(.proforma, s.proforma.id)
        let (_, session) = try await s.identity.startSession(clientID: s.ana.id)
        let pending = try await SetUpSecondFactor(s.identity).begin(session)
        _ = try await SetUpSecondFactor(s.identity).confirm(
            session, code: s.h.totpCode(secretBase32: pending.secretBase32), password: "correct horse battery")
        s.h.clock.advance(seconds: 30)  // the code of the set-up step is used
        let url = try await s.links.issue(
            clientID: s.ana.id, invoice: invoice, messageID: nil,
            links: ClientAreaLinks(baseURL: "https://billing.example.test"))
        try await s.h.run { c in
            let b = Browser(c)
            let landing = try await b.get(Self.path(url))
            #expect(landing.location == "/login?next=%2Finvoices%2Fproforma%2F\(s.proforma.id)")
            #expect(!b.lastSetCookies.contains { $0.hasPrefix("__Host-hostico_session=") })
            let login = try await b.get(landing.location!)
            #expect(login.body.visibleText.contains("Log in to see this invoice."))
            #expect(login.body.contains(#"name="return_to" value="/invoices/proforma/\#(s.proforma.id)""#))
            let password = try await b.post(
                "/login",
                [
                    ("email", "ana@example.ro"), ("password", "correct horse battery"),
                    ("return_to", ClientAreaLinks.invoicePath(invoice)),
                ])
            #expect(password.location == "/login/code?next=%2Finvoices%2Fproforma%2F\(s.proforma.id)")
            try await b.get(password.location!)
            let code = try await b.post(
                "/login/code",
                [
                    ("code", s.h.totpCode(secretBase32: pending.secretBase32)),
                    ("return_to", ClientAreaLinks.invoicePath(invoice)),
                ])
            #expect(code.location == ClientAreaLinks.invoicePath(invoice))
            #expect(try await b.get(ClientAreaLinks.invoicePath(invoice)).body.visibleText.contains(s.proforma.number))
            #expect(try await b.get("/security").status == .ok)  // a full login, not a mail session
            let used = try await s.h.deps.store.read { r in try await r.audit(clientID: s.ana.id, limit: 20) }.first {
                $0.action == "mail_link.used"
            }
            #expect(used?.after?.contains(#""outcome":"login page (2FA)""#) == true)
        }
    }

    @Test func expiredRevokedUnknownTamperedAndForeignTokensAllLookTheSame() async throws {
        let s = try await Self.setup()
        let bob = try await s.h.fixtures.client("bob@example.ro", language: "en")
        let bobOrder = try await PlaceOrder(s.h.deps)(
            clientID: bob.id,
            try .parse(planID: try await s.h.fixtures.plan("pro").id, cycle: "monthly", domain: "bob.ro"),
            billingProfileID: nil, actor: .client(bob.id))
        let invoice = InvoiceRef(.proforma, s.proforma.id)
        func token() async throws -> String {
            String(
                try await s.links.issue(
                    clientID: s.ana.id, invoice: invoice, messageID: nil, links: ClientAreaLinks(baseURL: "")
                ).split(
                    separator: "/"
                ).last!)
        }
        let expired = try await token()
        s.h.clock.advance(seconds: 7 * 86400 + 1)
        let revoked = try await token()
        _ = try await s.links.revoke(clientID: s.ana.id, by: .staff(1))
        let good = try await token()
        var tampered = Array(good)
        tampered[10] = tampered[10] == "A" ? "B" : "A"
        let cases: [(String, String)] = [
            ("expired", ClientAreaLinks.mailLinkPath(invoice, token: expired)),
            ("revoked", ClientAreaLinks.mailLinkPath(invoice, token: revoked)),
            ("unknown", ClientAreaLinks.mailLinkPath(invoice, token: String(repeating: "x", count: 43))),
            ("tampered", ClientAreaLinks.mailLinkPath(invoice, token: String(tampered))),
            ("short", ClientAreaLinks.mailLinkPath(invoice, token: "abc")),
        ]
        try await s.h.run { c in
            var answers: [String: String] = [:]
            for (name, path) in cases {
                let b = Browser(c)
                let page = try await b.get(path)
                #expect(page.status == .seeOther, "\(name)")
                #expect(
                    page.headers[.referrerPolicy] == "no-referrer" && page.headers[.cacheControl] == "no-store",
                    "\(name)")
                #expect(!b.lastSetCookies.contains { $0.hasPrefix("__Host-hostico_session=") }, "\(name)")
                answers[name] =
                    "\(page.location ?? "") \(b.lastSetCookies.map { String($0.prefix { $0 != "=" }) }.sorted())"
            }
            #expect(Set(answers.values).count == 1, "\(answers)")
            #expect(answers["expired"]?.hasPrefix("/login?next=%2Finvoices%2Fproforma%2F\(s.proforma.id) ") == true)

            // Ana's working token on the path of Bob's invoice: no session, and Bob's invoice stays hidden from Ana.
            let b = Browser(c)
            let foreign = try await b.get(
                ClientAreaLinks.mailLinkPath(InvoiceRef(.proforma, bobOrder.proforma.id), token: good))
            #expect(foreign.location == "/login?next=%2Finvoices%2Fproforma%2F\(bobOrder.proforma.id)")
            try await b.logIn("ana@example.ro", "correct horse battery")
            #expect(try await b.get("/invoices/proforma/\(bobOrder.proforma.id)").status == .notFound)
            // The same token on its own invoice still works.
            #expect(
                try await Browser(c).get(ClientAreaLinks.mailLinkPath(invoice, token: good)).location
                    == ClientAreaLinks.invoicePath(invoice))
        }
    }

    @Test func clicksAreRateLimitedPerAddressAndStaffSeeEveryUseInTheAuditLog() async throws {
        let s = try await Self.setup()
        _ = try await CreateStaff(s.h.deps)(email: "ops@hostico.ro", name: "Ops", password: "staff password 1")
        let invoice = InvoiceRef(.proforma, s.proforma.id)
        let good = String(
            try await s.links.issue(
                clientID: s.ana.id, invoice: invoice, messageID: nil, links: ClientAreaLinks(baseURL: "")
            ).split(
                separator: "/"
            ).last!)
        try await s.h.run { c in
            #expect(
                try await Browser(c).get(ClientAreaLinks.mailLinkPath(invoice, token: good)).location
                    == ClientAreaLinks.invoicePath(invoice))
            for i in 1..<30 {
                _ = try await Browser(c).get(
                    ClientAreaLinks.mailLinkPath(invoice, token: String(repeating: "y", count: 42) + String(i % 10)))
            }
            // The 31st attempt from this address is refused, even with the right token.
            let limited = try await Browser(c).get(ClientAreaLinks.mailLinkPath(invoice, token: good))
            #expect(limited.status == .tooManyRequests && limited.body.visibleText.contains("Too many link attempts"))
            #expect(limited.headers[.referrerPolicy] == "no-referrer")
            s.h.clock.advance(seconds: 15 * 60 + 1)
            #expect(
                try await Browser(c).get(ClientAreaLinks.mailLinkPath(invoice, token: good)).location
                    == ClientAreaLinks.invoicePath(invoice))

            let staff = Browser(c)
            try await staff.logInStaffSettingUp2FA("ops@hostico.ro", "staff password 1", s.h)
            let log = try await staff.get("/staff/clients/\(s.ana.id)?tab=log")
            let page = try await staff.get("/staff/clients/\(s.ana.id)?tab=messages")
            #expect(
                log.body.contains("mail_link.used") && log.body.visibleText.contains("ip: unknown")
                    && log.body.visibleText.contains("outcome: session"))
            // The link's row names the invoice by its number and links to it.
            let row = try #require(page.body.components(separatedBy: #"<tr class="mail-link""#).dropFirst().first)
            #expect(
                row.contains(#"<a href="/staff/proformas/\#(s.proforma.id)">\#(s.proforma.number)</a>"#)
                    && row.visibleText.contains("valid"))
            #expect(
                try await staff.post(
                    "/staff/clients/\(s.ana.id)/mail-links/revoke",
                    [("confirmed", "1"), ("auditNote", "phishing report")]
                ).location == "/staff/clients/\(s.ana.id)?tab=messages")
            #expect(
                try await staff.get("/staff/clients/\(s.ana.id)?tab=messages").body.visibleText.contains(
                    "revoked (staff)"))
            #expect(
                try await Browser(c).get(ClientAreaLinks.mailLinkPath(invoice, token: good)).location?.hasPrefix(
                    "/login") == true)
            #expect(try await staff.get("/staff/audit").body.contains("mail_links.revoked"))
        }
    }
}
