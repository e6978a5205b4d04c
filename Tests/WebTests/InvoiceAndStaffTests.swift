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

@Suite("My Invoices, proforma editing, isolation and the staff area")
struct InvoiceAndStaffTests {
    static let german: [(String, String)] = [
        ("source", "new"), ("p_kind", "legal_entity"), ("p_name", "Müller Web GmbH"), ("p_street", "Hauptstraße 1"),
        ("p_city", "Berlin"),
        ("p_county", ""), ("p_postalCode", "10115"), ("p_country", "DE"), ("p_vatNumber", "DE123456789"),
        ("p_cnp", "1800101221144"),
    ]

    @Test func editAnUnpaidProformaFromPersonToCompanyAndBackThenPayIt() async throws {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        let plan = try await h.fixtures.plan()
        let order = try await PlaceOrder(h.deps)(
            clientID: ana.id, try .parse(planID: plan.id, cycle: "monthly", domain: "ana.ro"), billingProfileID: nil,
            actor: .client(ana.id))
        let p = order.proforma
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            let list = try await b.get("/invoices")
            #expect(list.body.contains(#"href="/invoices/proforma/\#(p.id)/billing-data" class="edit""#))
            let page = try await b.get("/invoices/proforma/\(p.id)")
            #expect(
                page.body.visibleText.contains("VAT 21% 21.00 RON")
                    && page.body.visibleText.contains("Total 121.00 RON"))
            #expect(page.body.visibleText.contains("Write \(p.number) as the payment reference"))

            // To a German company with a VAT number: the preview shows reverse charge before anything is saved.
            try await b.get("/invoices/proforma/\(p.id)/billing-data")
            let preview = try await b.post(
                "/invoices/proforma/\(p.id)/billing-data", Self.german + [("step", "preview")])
            #expect(preview.status == .ok)
            #expect(
                preview.body.visibleText.contains("New totals") && preview.body.visibleText.contains("Total 100.00 RON")
            )
            #expect(preview.body.contains("Taxare inversă"))
            #expect(
                try await h.deps.store.read { r in try await r.proforma(id: p.id, forUpdate: false) }?.buyer.name
                    == "Ana Popescu")
            let saved = try await b.post("/invoices/proforma/\(p.id)/billing-data", Self.german + [("step", "save")])
            #expect(saved.location == "/invoices/proforma/\(p.id)")
            let edited = try await b.get("/invoices/proforma/\(p.id)")
            #expect(
                edited.body.visibleText.contains("Müller Web GmbH")
                    && edited.body.visibleText.contains("Total 100.00 RON"))

            // Back to the stored person profile.
            let profileID = try await h.deps.store.read { r in try await r.billingProfiles(clientID: ana.id) }[0].id
            try await b.get("/invoices/proforma/\(p.id)/billing-data")
            #expect(
                try await b.post(
                    "/invoices/proforma/\(p.id)/billing-data", [("source", "profile:\(profileID)"), ("step", "save")]
                ).status == .seeOther)
            #expect(try await b.get("/invoices/proforma/\(p.id)").body.visibleText.contains("Total 121.00 RON"))
            let versions = try await h.deps.store.read { r in
                try await r.audit(entity: "proforma", entityID: p.id, limit: 10)
            }.filter { $0.action == "proforma.billing_data_edited" }
            #expect(versions.count == 2)

            // Bad data: field messages, 422, nothing changes.
            let bad = try await b.post(
                "/invoices/proforma/\(p.id)/billing-data",
                [
                    ("source", "new"), ("p_kind", "legal_entity"), ("p_name", ""), ("p_country", "RO"),
                    ("p_county", "CJ"), ("p_cui", "123"), ("step", "save"),
                ])
            #expect(
                bad.status == .unprocessableContent && bad.body.contains(#"id="e-p_name""#)
                    && bad.body.contains(#"id="e-p_cui""#))

            // Paid: the fiscal invoice carries the final data and offers no edit; forged edits get 409.
            _ = try await h.fixtures.pay(
                try await h.deps.store.read { r in try await r.proforma(id: p.id, forUpdate: false)! })
            let fiscal = try #require(try await h.deps.store.read { r in try await r.fiscalInvoice(proformaID: p.id) })
            #expect(fiscal.buyer.name == "Ana Popescu")
            let fiscalPage = try await b.get("/invoices/fiscal/\(fiscal.id)")
            #expect(
                fiscalPage.status == .ok && !fiscalPage.body.contains("billing-data")
                    && fiscalPage.body.visibleText.contains("cannot be changed"))
            #expect(!(try await b.get("/invoices")).body.contains("class=\"edit\""))
            #expect(
                try await b.post("/invoices/fiscal/\(fiscal.id)/billing-data", Self.german + [("step", "save")]).status
                    == .conflict)
            #expect(
                try await b.post("/invoices/proforma/\(p.id)/billing-data", Self.german + [("step", "save")]).status
                    == .conflict)
            #expect(
                try await h.deps.store.read { r in try await r.proforma(id: p.id, forUpdate: false) }?.buyer.name
                    == "Ana Popescu")
            let pdf = try await b.get("/invoices/fiscal/\(fiscal.id)/pdf")
            #expect(
                pdf.headers[.contentType] == "application/pdf"
                    && pdf.headers[.contentDisposition] == "attachment; filename=\"\(fiscal.displayNumber).pdf\"")
        }
    }

    @Test func aClientNeverReachesAnotherClientsInvoiceOrProfile() async throws {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        try await h.fixtures.client("ion@example.ro", language: "en")
        let plan = try await h.fixtures.plan()
        let order = try await PlaceOrder(h.deps)(
            clientID: ana.id, try .parse(planID: plan.id, cycle: "monthly", domain: "ana.ro"), billingProfileID: nil,
            actor: .client(ana.id))
        let profile = try await h.deps.store.read { r in try await r.billingProfiles(clientID: ana.id) }[0]
        try await h.run { c in
            let ion = Browser(c)
            try await ion.logIn("ion@example.ro", "correct horse battery")
            for path in [
                "/invoices/proforma/\(order.proforma.id)", "/invoices/proforma/\(order.proforma.id)/pdf",
                "/invoices/proforma/\(order.proforma.id)/billing-data", "/details/profiles/\(profile.id)",
            ] {
                #expect(try await ion.get(path).status == .notFound, "\(path)")
            }
            try await ion.get("/invoices")
            #expect(
                try await ion.post(
                    "/invoices/proforma/\(order.proforma.id)/billing-data",
                    InvoiceAndStaffTests.german + [("step", "save")]
                ).status == .notFound)
            #expect(
                try await h.deps.store.read { r in try await r.proforma(id: order.proforma.id, forUpdate: false) }?
                    .version == 1)
            let anonymous = Browser(c)
            #expect(
                try await anonymous.get("/invoices/proforma/\(order.proforma.id)").location
                    == "/login?next=%2Finvoices%2Fproforma%2F\(order.proforma.id)")
        }
    }

    @Test func clientTextIsEscapedOnEveryPage() async throws {
        let h = try await WebHarness.make()
        let evil = BillingPartyDraft(
            kind: "person", name: "<script>alert(1)</script> & \"Ana\"", street: "<img src=x onerror=alert(2)>",
            city: "Cluj", county: "CJ", country: "RO")
        let ana = try await h.fixtures.client("ana@example.ro", evil, language: "en")
        let plan = try await h.fixtures.plan()
        let order = try await PlaceOrder(h.deps)(
            clientID: ana.id, try .parse(planID: plan.id, cycle: "monthly", domain: "ana.ro"), billingProfileID: nil,
            actor: .client(ana.id))
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            for path in [
                "/invoices/proforma/\(order.proforma.id)", "/details",
                "/invoices/proforma/\(order.proforma.id)/billing-data",
            ] {
                let page = try await b.get(path)
                #expect(!page.body.contains("<script>") && !page.body.contains("<img src=x"), "\(path)")
                #expect(page.body.contains("&lt;script&gt;"), "\(path)")
                #expect(
                    page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true
                        && page.headers[.cacheControl] == "no-store")
            }
        }
    }

    @Test func staffNeed2FAThenSuspendForAbuseAndTheClientSeesWhy() async throws {
        let h = try await WebHarness.make()
        _ = try await CreateStaff(h.deps)(email: "ops@hostico.ro", name: "Ops", password: "staff password 1")
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        let service = try await h.fixtures.activeService(
            client: ana, plan: try await h.fixtures.plan(), domain: "ana.ro")
        try await h.run { c in
            let staff = Browser(c)
            // A client's password does not open the staff area, and the client cookie is not a staff cookie.
            #expect(
                try await staff.logIn("ana@example.ro", "correct horse battery", base: "/staff").status == .unauthorized
            )
            #expect(
                try await staff.logIn("ops@hostico.ro", "staff password 1", base: "/staff").location
                    == "/staff/security/2fa")
            #expect(try await staff.get("/staff").location == "/staff/security/2fa")
            let setup = try await staff.get("/staff/security/2fa")
            let secret = setup.body.totpSecret
            try await staff.post("/staff/security/2fa", [("code", h.totpCode(secretBase32: secret))])
            let search = try await staff.get("/staff?q=2700116065277")
            #expect(search.body.contains("/staff/clients/\(ana.id)"))
            let fiscalNumber = try await h.deps.store.read { r in
                try await r.fiscalInvoices(clientID: ana.id, limit: 1, offset: 0)
            }[0].displayNumber
            // An invoice number found by the search opens the invoice.
            #expect(
                try await staff.get("/staff?q=\(fiscalNumber)").location?.hasPrefix("/staff/fiscal-invoices/") == true)
            // The client page: a summary over tabs.
            let page = try await staff.get("/staff/clients/\(ana.id)")
            #expect(page.body.visibleText.contains("Ana Popescu client #\(ana.id)"))
            #expect(page.body.visibleText.contains("Owes nothing Overdue none"))
            #expect(page.body.contains(#"<a href="/staff/clients/\#(ana.id)?tab=log">Audit log</a>"#))
            #expect(!page.body.contains("client.registered"), "the log is its own tab")
            #expect(try await staff.get("/staff/clients/\(ana.id)?tab=messages").body.visibleText.contains("opted out"))
            #expect(try await staff.get("/staff/clients/\(ana.id)?tab=log").body.contains("client.registered"))
            let suspended = try await staff.post(
                "/staff/services/\(service.id)/suspend", [("reason", "abuse"), ("note", "Phishing page reported")])
            #expect(suspended.location == "/staff/clients/\(ana.id)")
            #expect(
                try await staff.get("/staff/clients/\(ana.id)").body.visibleText.contains("abuse by Ops (staff #1)"))

            let client = Browser(c)
            try await client.logIn("ana@example.ro", "correct horse battery")
            let services = try await client.get("/services")
            #expect(services.body.visibleText.contains("Suspended for abuse of the terms of service. Contact support"))
            #expect(try await client.get("/staff").location?.hasPrefix("/staff/login") == true)

            try await staff.get("/staff/clients/\(ana.id)")
            let ask = try await staff.post("/staff/services/\(service.id)/unsuspend", [])
            #expect(ask.status == .ok && ask.body.visibleText.contains("Lift the holds of \(service.domain)?"))
            #expect(ask.body.visibleText.contains("The abuse hold placed by Ops (staff #1)"))
            #expect(
                try await client.get("/services").body.contains("pill suspended"), "nothing changes before confirming")
            try await staff.post(
                "/staff/services/\(service.id)/unsuspend",
                [("confirmed", "1"), ("auditNote", "spam stopped, ticket 42")])
            #expect(try await client.get("/services").body.contains("pill active"))
            #expect(try await staff.get("/staff/audit").body.contains("service.suspended"))
            #expect(
                try await staff.get("/staff/audit").body.visibleText.contains(
                    "lifted by staff: spam stopped, ticket 42"))
        }
    }

    @Test func staffGiveAnOverdueClientMoreTimeFromTheClientPageAndTheClientSeesTheNewDate() async throws {
        let h = try await WebHarness.make()
        _ = try await CreateStaff(h.deps)(email: "ops@hostico.ro", name: "Ops", password: "staff password 1")
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        let service = try await h.fixtures.activeService(
            client: ana, plan: try await h.fixtures.plan(), domain: "ana.ro")
        for _ in 1...37 {
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
            let staff = Browser(c)
            try await staff.logInStaffSettingUp2FA("ops@hostico.ro", "staff password 1", h)
            // The home page says when the daily tasks last ran.
            #expect(try await staff.get("/staff").body.visibleText.contains("Daily tasks last ran for 2026-02-21"))
            let page = try await staff.get("/staff/clients/\(ana.id)?tab=invoices")
            #expect(page.body.contains(#"action="/staff/proformas/\#(renewal.id)/extension""#))
            #expect(page.body.visibleText.contains("unpaid, due 2026-02-15"))
            // Lifting the non-payment hold as an unsuspend is not offered (only abuse/other holds are).
            let overview = try await staff.get("/staff/clients/\(ana.id)")
            #expect(overview.body.contains("tr class=\"service\""))
            #expect(!overview.body.contains(#"action="/staff/services/\#(service.id)/unsuspend""#))
            #expect(overview.body.visibleText.contains("Overdue 1 (oldest due 15 Feb 2026"))
            // Too far: refused with the limit named, nothing changed.
            let far = try await staff.post(
                "/staff/proformas/\(renewal.id)/extension", [("until", "2026-04-01"), ("note", "Asked by phone")])
            #expect(
                far.status == .unprocessableContent
                    && far.body.visibleText.contains("at most 14 days from today (2026-03-07)"))
            let given = try await staff.post(
                "/staff/proformas/\(renewal.id)/extension", [("until", "2026-03-01"), ("note", "Asked by phone")])
            #expect(given.location == "/staff/clients/\(ana.id)?tab=invoices")
            let after = try await staff.get("/staff/clients/\(ana.id)?tab=invoices")
            #expect(after.body.visibleText.contains("unpaid, due 2026-03-01 (extended from 2026-02-15)"))
            #expect(try await staff.get("/staff/clients/\(ana.id)?tab=log").body.contains("proforma.payment_extended"))

            let client = Browser(c)
            try await client.logIn("ana@example.ro", "correct horse battery")
            #expect(try await client.get("/services").body.contains("pill active"))
            #expect(try await client.get("/invoices/proforma/\(renewal.id)").body.visibleText.contains("1 Mar 2026"))
        }
    }
}

@Suite("Page texts and snapshots")
struct PageSnapshotTests {
    /// Every `{{t.key}}` a template uses exists in all three languages.
    @Test func everyTemplateTextIsTranslated() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../Sources/Web/Templates")
        var used: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            var rest = text[...]
            while let r = rest.range(of: "{{t.") {
                rest = rest[r.upperBound...]
                used.insert(String(rest.prefix { $0 != "}" }))
            }
        }
        #expect(used.count > 30)
        for language in Language.allCases {
            let missing = used.filter { (Strings.table(language)[$0] ?? "").isEmpty }
            #expect(missing.isEmpty, "\(language): \(missing.sorted())")
        }
        for (key, en, ro, hi) in Strings.entries
        where key != "vat" && key != "email" && key != "plan" && key != "total" && key != "contact" && key != "vat_rate"
        {
            #expect(ro != en || hi != en, "\(key) is not translated")
        }
    }

    /// Every rule a use case or a domain check refuses with (read from the sources: `rule: "…"` and
    /// `add(field, "…", …)`) has its Romanian and Hindi sentence, so a refusal never shows English on a Romanian page.
    @Test func everyRuleIsTranslated() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        var codes: Set<String> = []
        // `[.\s]add(`, not `\badd(`: by Unicode word boundaries `errors.add` is one word.
        let patterns = [#/rule:\s*"([a-z0-9.\-]+)"/#, #/[.\s]add\(\s*[^,()]+,\s*"([a-z0-9.\-]+)",/#]
        for case let url as URL in FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)!
        where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for pattern in patterns { codes.formUnion(text.matches(of: pattern).map { String($0.output.1) }) }
        }
        #expect(
            codes.count > 70 && codes.contains("cnp.checksum") && codes.contains("proforma.not-unpaid"),
            "\(codes.count) codes found in \(sources.path)")
        let missing = codes.filter { code in
            guard let (ro, hi) = Strings.ruleMessages[code] else { return true }
            return ro.isEmpty || hi.isEmpty
        }
        #expect(missing.isEmpty, "no Romanian/Hindi text for: \(missing.sorted())")
        // The page shows them: a refused CNP in Romanian and Hindi, a conflict in Romanian.
        let cnp = FieldError(
            field: "cnp", rule: "cnp.checksum", message: "This CNP's check digit is wrong; please check for a typo.")
        #expect(
            Strings.message(for: cnp, in: .ro).contains("cifra de control")
                && Strings.message(for: cnp, in: .hi).contains("चेक अंक"))
        #expect(
            Strings.message(rule: "proforma.not-unpaid", english: "This proforma is paid.", in: .ro)
                == "Doar o proformă neplătită poate fi modificată sau plătită.")
    }

    /// The main pages, rendered from fixed data on a fixed clock with a counting random source, compared with the
    /// files in `__Snapshots__` (write them with RECORD_SNAPSHOTS=1 and review the diff).
    @Test func mainPagesMatchTheirSnapshots() async throws {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro", language: "ro")
        let plan = try await h.fixtures.plan()
        let service = try await h.fixtures.activeService(client: ana, plan: plan, domain: "ana.ro")
        let order = try await PlaceOrder(h.deps)(
            clientID: ana.id, try .parse(planID: plan.id, cycle: "monthly", domain: "ana-shop.ro"),
            billingProfileID: nil, actor: .client(ana.id))
        _ = try await SuspendService(h.deps)(serviceID: service.id, reason: "abuse", note: "test", actor: .system)
        let fiscal = try await h.deps.store.read { r in
            try await r.fiscalInvoices(clientID: ana.id, limit: 1, offset: 0)
        }[0]
        try await h.run { c in
            let b = Browser(c)
            var pages: [(String, String)] = []
            for lang in ["en", "ro", "hi"] {
                pages.append(("login-\(lang)", try await b.get("/login?lang=\(lang)").body))
            }
            pages.append(("signup-en", try await b.get("/signup?lang=en").body))
            b.cookies["__Host-hostico_lang"] = nil
            try await b.logIn("ana@example.ro", "correct horse battery")
            pages.append(("services-ro", try await b.get("/services").body))
            pages.append(("invoices-ro", try await b.get("/invoices").body))
            pages.append(("proforma-ro", try await b.get("/invoices/proforma/\(order.proforma.id)").body))
            pages.append(("fiscal-hi", try await b.get("/invoices/fiscal/\(fiscal.id)?lang=hi").body))
            pages.append(
                (
                    "edit-proforma-en",
                    try await b.get("/invoices/proforma/\(order.proforma.id)/billing-data?lang=en").body
                ))
            pages.append(("details-en", try await b.get("/details").body))
            pages.append(("security-en", try await b.get("/security").body))
            let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "__Snapshots__")
            let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1"
            for (name, html) in pages {
                let file = dir.appendingPathComponent("\(name).html")
                if record {
                    try html.write(to: file, atomically: true, encoding: .utf8)
                } else {
                    let expected = try String(contentsOf: file, encoding: .utf8)
                    #expect(
                        html == expected,
                        "page \(name) differs from \(file.lastPathComponent); re-record with RECORD_SNAPSHOTS=1 if intended"
                    )
                }
            }
        }
    }
}
