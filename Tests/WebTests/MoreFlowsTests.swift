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

@Suite("Billing profiles, payments, non-payment, staff money actions, turning 2FA off")
struct MoreFlowsTests {
    @Test func billingProfilesAreAddedEditedAndMadeDefault() async throws {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            try await b.get("/details/profiles/new")
            let bad = try await b.post(
                "/details/profiles/new",
                [
                    ("p_kind", "legal_entity"), ("p_name", "Țuțea Design SRL"), ("p_street", "Bd. Unirii 5"),
                    ("p_city", "SECTOR3"),
                    ("p_county", "B"), ("p_country", "RO"), ("p_cui", "18547291"),
                ])
            #expect(bad.status == .unprocessableContent && bad.body.contains(#"id="e-p_cui""#))
            #expect(
                try await b.post(
                    "/details/profiles/new",
                    [
                        ("p_kind", "legal_entity"), ("p_name", "Țuțea Design SRL"), ("p_street", "Bd. Unirii 5"),
                        ("p_city", "SECTOR3"),
                        ("p_county", "B"), ("p_country", "RO"), ("p_cui", "18547290"), ("makeDefault", "1"),
                    ]
                ).location == "/details")
            var profiles = try await h.deps.store.read { r in try await r.billingProfiles(clientID: ana.id) }
            let company = try #require(profiles.first { $0.party.kind == .legalEntity })
            #expect(company.isDefault)
            try await b.get("/details/profiles/\(company.id)")
            #expect(
                try await b.post(
                    "/details/profiles/\(company.id)",
                    [
                        ("p_kind", "legal_entity"), ("p_name", "Țuțea Studio SRL"), ("p_street", "Bd. Unirii 5"),
                        ("p_city", "SECTOR3"),
                        ("p_county", "B"), ("p_country", "RO"), ("p_cui", "18547290"),
                    ]
                ).location == "/details")
            let person = try #require(profiles.first { $0.party.kind == .person })
            try await b.get("/details")
            #expect(try await b.post("/details/profiles/\(person.id)/default", []).location == "/details")
            profiles = try await h.deps.store.read { r in try await r.billingProfiles(clientID: ana.id) }
            #expect(profiles.first { $0.id == company.id }?.party.name == "Țuțea Studio SRL")
            #expect(profiles.first { $0.isDefault }?.id == person.id)
            #expect(
                try await b.get("/details").body.visibleText.contains("Țuțea Studio SRL — A company (legal entity)"))
        }
    }

    @Test func aServiceSuspendedForNonPaymentLinksTheInvoiceAndTheDemoGatewayPaysIt() async throws {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        let service = try await h.fixtures.activeService(
            client: ana, plan: try await h.fixtures.plan(), domain: "ana.ro")
        // A month later the renewal is issued, not paid, and the service is suspended after the grace days.
        for _ in 0..<40 {
            h.clock.advance(days: 1)
            _ = try await DailyBillingTasks(h.deps)(asOf: h.deps.today())
        }
        let renewal = try #require(
            try await h.deps.store.read { r in
                try await r.proformas(clientID: ana.id, state: .unpaid, limit: 5, offset: 0)
            }.first)
        #expect(
            try await h.deps.store.read { r in try await r.service(id: service.id, forUpdate: false) }?.state
                == .suspended)
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            let services = try await b.get("/services")
            #expect(
                services.body.visibleText.contains(
                    "Suspended for non-payment. Pay this invoice to reactivate it: \(renewal.number)"))
            #expect(services.body.contains(#"href="/invoices/proforma/\#(renewal.id)#pay""#))
            let page = try await b.get("/invoices/proforma/\(renewal.id)")
            #expect(page.body.visibleText.contains("Pay now with the demo gateway (no money moves)"))
            #expect(
                try await b.post("/invoices/proforma/\(renewal.id)/pay", []).location
                    == "/invoices/proforma/\(renewal.id)")
            #expect(
                try await b.get("/invoices/proforma/\(renewal.id)").body.visibleText.contains(
                    "The payment is recorded."))
            #expect(try await b.get("/services").body.contains("pill active"))
            #expect(try await h.deps.store.read { r in try await r.fiscalInvoice(proformaID: renewal.id) } != nil)
        }
    }

    /// Issue 18.7: staff list, create (the secret shown once) and revoke API keys.
    @Test func staffManageAPIKeys() async throws {
        let h = try await WebHarness.make()
        _ = try await CreateStaff(h.deps)(email: "ops@hostico.ro", name: "Ops", password: "staff password 1")
        try await h.run { c in
            let staff = Browser(c)
            try await staff.logInStaffSettingUp2FA("ops@hostico.ro", "staff password 1", h)
            #expect(try await staff.get("/staff/api-keys").body.visibleText.contains("New key"))
            let created = try await staff.post(
                "/staff/api-keys",
                [("name", "bank import"), ("scope_read", "1"), ("scope_payments", "1"), ("expires_days", "90")])
            #expect(created.status == .ok)
            let secret = try #require(
                created.body.range(of: #"hk_[0-9a-f]{64}"#, options: .regularExpression).map {
                    String(created.body[$0])
                })
            #expect(created.body.visibleText.contains("read,payments"))
            let key = try #require(try await ListAPIKeys(h.deps)().first { $0.name == "bank import" })
            #expect(key.scopes == [.read, .payments] && key.expiresAt != nil)
            // The list never shows a secret again.
            let list = try await staff.get("/staff/api-keys")
            #expect(!list.body.contains(secret) && list.body.visibleText.contains("active"))
            #expect(try await staff.post("/staff/api-keys", [("name", "nothing")]).status == .unprocessableContent)
            #expect(try await staff.post("/staff/api-keys/\(key.id)/revoke", []).location == "/staff/api-keys")
            #expect(try await staff.get("/staff/api-keys").body.visibleText.contains("revoked"))
            #expect(try await AuthenticateAPIKey(h.deps)(secret: secret) == nil)
        }
    }

    @Test func staffRecordABankPaymentCancelAProformaStornoAnInvoiceAndRunBilling() async throws {
        let h = try await WebHarness.make()
        _ = try await CreateStaff(h.deps)(email: "ops@hostico.ro", name: "Ops", password: "staff password 1")
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        let plan = try await h.fixtures.plan()
        let first = try await PlaceOrder(h.deps)(
            clientID: ana.id, try .parse(planID: plan.id, cycle: "monthly", domain: "ana.ro"), billingProfileID: nil,
            actor: .client(ana.id))
        let second = try await PlaceOrder(h.deps)(
            clientID: ana.id, try .parse(planID: plan.id, cycle: "monthly", domain: "ana2.ro"), billingProfileID: nil,
            actor: .client(ana.id))
        try await h.run { c in
            let staff = Browser(c)
            try await staff.logIn("ops@hostico.ro", "staff password 1", base: "/staff")
            let setup = try await staff.get("/staff/security/2fa")
            let secret = setup.body.totpSecret
            try await staff.post("/staff/security/2fa", [("code", h.totpCode(secretBase32: secret))])
            try await staff.get("/staff/clients/\(ana.id)")
            #expect(
                try await staff.post(
                    "/staff/proformas/\(first.proforma.id)/payments", [("amount", "121.00"), ("reference", "OP 123")]
                ).location == "/staff/clients/\(ana.id)?tab=invoices")
            let fiscal = try #require(
                try await h.deps.store.read { r in try await r.fiscalInvoice(proformaID: first.proforma.id) })
            #expect(
                try await staff.get("/staff/clients/\(ana.id)").body.visibleText.contains("The payment is recorded."))
            // Irreversible actions say what will happen and ask why; nothing changes before the confirmation.
            let ask = try await staff.post("/staff/proformas/\(second.proforma.id)/cancel", [])
            #expect(ask.status == .ok && ask.body.visibleText.contains("Cancel proforma \(second.proforma.number)?"))
            #expect(ask.body.visibleText.contains("This cannot be undone."))
            let noReason = try await staff.post("/staff/proformas/\(second.proforma.id)/cancel", [("confirmed", "1")])
            #expect(noReason.status == .unprocessableContent)
            #expect(
                try await h.deps.store.read { r in try await r.proforma(id: second.proforma.id, forUpdate: false) }?
                    .state == .unpaid)
            #expect(
                try await staff.post(
                    "/staff/proformas/\(second.proforma.id)/cancel",
                    [("confirmed", "1"), ("auditNote", "ordered twice by mistake")]
                ).status == .seeOther)
            #expect(
                try await h.deps.store.read { r in
                    try await r.audit(entity: "proforma", entityID: second.proforma.id, limit: 5)
                }
                .contains { ($0.after ?? "").contains("ordered twice by mistake") })
            #expect(
                try await h.deps.store.read { r in try await r.proforma(id: second.proforma.id, forUpdate: false) }?
                    .state == .cancelled)
            // A storno says what it means for the sale: without a choice nothing is reversed.
            #expect(
                try await staff.post("/staff/fiscal-invoices/\(fiscal.id)/storno", []).status == .unprocessableContent)
            #expect(try await h.deps.store.read { r in try await r.fiscalInvoice(correcting: fiscal.id) } == nil)
            let stornoAsk = try await staff.post("/staff/fiscal-invoices/\(fiscal.id)/storno", [("then", "end")])
            #expect(
                stornoAsk.status == .ok
                    && stornoAsk.body.visibleText.contains("Issue a storno of \(fiscal.displayNumber)?"))
            #expect(stornoAsk.body.visibleText.contains("A storno for -121.00 RON reverses \(fiscal.displayNumber)."))
            #expect(stornoAsk.body.contains(#"<input type="hidden" name="then" value="end">"#))
            #expect(try await h.deps.store.read { r in try await r.fiscalInvoice(correcting: fiscal.id) } == nil)
            #expect(
                try await staff.post(
                    "/staff/fiscal-invoices/\(fiscal.id)/storno",
                    [("then", "end"), ("confirmed", "1"), ("auditNote", "client closed the company")]
                ).status == .seeOther)
            let page = try await staff.get("/staff/clients/\(ana.id)?tab=invoices")
            #expect(
                page.body.visibleText.contains("storno of \(fiscal.displayNumber)")
                    && page.body.visibleText.contains("reversed"))
            // A second storno of the same invoice is refused.
            #expect(
                try await staff.post("/staff/fiscal-invoices/\(fiscal.id)/storno", [("then", "end")]).status
                    == .conflict)
            try await staff.get("/staff")
            #expect(try await staff.post("/staff/billing-run", []).body.visibleText.contains("Run billing now?"))
            #expect(
                try await staff.post(
                    "/staff/billing-run", [("confirmed", "1"), ("auditNote", "after the price change")]
                )
                .location == "/staff")
            #expect(try await staff.get("/staff").body.visibleText.contains("Last run as of 2026-01-15"))
            #expect(try await staff.get("/staff/fiscal-invoices/\(fiscal.id)").body.visibleText.contains("e-Factura: "))
        }
    }

    @Test func turningTwoFactorOffNeedsThePasswordAndACode() async throws {
        let h = try await WebHarness.make()
        try await h.fixtures.client("ana@example.ro", language: "en")
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            let setup = try await b.get("/security/2fa")
            let secret = setup.body.totpSecret
            try await b.post(
                "/security/2fa", [("password", "correct horse battery"), ("code", h.totpCode(secretBase32: secret))])
            try await b.get("/security")
            h.clock.advance(seconds: 30)
            let wrong = try await b.post(
                "/security/2fa/disable", [("password", "not the password"), ("code", h.totpCode(secretBase32: secret))])
            #expect(wrong.status == .unprocessableContent && wrong.body.contains(#"id="e-password""#))
            h.clock.advance(seconds: 30)
            #expect(
                try await b.post(
                    "/security/2fa/disable",
                    [("password", "correct horse battery"), ("code", h.totpCode(secretBase32: secret))]
                ).location == "/security")
            #expect(try await b.get("/security").body.visibleText.contains("Two-factor authentication is off."))
            try await b.post("/logout", [])
            #expect(try await b.logIn("ana@example.ro", "correct horse battery").location == "/services")
        }
    }
}
