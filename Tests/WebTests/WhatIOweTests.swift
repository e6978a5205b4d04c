import Domain
import Features
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import Web

/// Issue 25: pages that tell a client what they owe, by when and what happens to the site, in their language; and a
/// staff home that is a work queue.
@Suite("What I owe, explained states, local formats, the staff work queue")
struct WhatIOweTests {
    @Test func aRomanianClientSeesWhatSheOwesOnEveryPageAndPaysFromTheList() async throws {
        let h = try await WebHarness.make(environment: ["SUPPORT_EMAIL": "ajutor@hostico.ro"])
        let ana = try await h.fixtures.client("ana@example.ro", language: "ro")
        let plan = try await h.fixtures.plan(monthly: "1000.00")
        let order = try await PlaceOrder(h.deps)(
            clientID: ana.id, try .parse(planID: plan.id, cycle: "monthly", domain: "ana.ro"), billingProfileID: nil,
            actor: .client(ana.id))
        let p = order.proforma
        let due = p.effectiveDueDate
        h.clock.advance(days: h.deps.today().days(until: due) + 3)
        let daysLate = due.days(until: h.deps.today())
        #expect(daysLate == 3)
        let ro = LocalFormat(.ro)
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            // The banner on every client page, in Romanian formats.
            for path in ["/services", "/invoices", "/details", "/security", "/order"] {
                let page = try await b.get(path)
                #expect(page.body.visibleText.contains("Aveți de plată 1.210,00 RON"), "\(path)")
                #expect(
                    page.body.visibleText.contains(
                        "\(p.number) este restantă de 3 zile (scadentă la \(ro.date(due)))"), "\(path)")
                #expect(page.body.contains(#"href="/invoices/proforma/\#(p.id)#pay""#), "\(path)")
                #expect(page.body.contains(#"href="mailto:ajutor@hostico.ro""#), "\(path): the support contact")
            }
            // The pending service says what it waits for, and links the payment.
            let services = try await b.get("/services")
            #expect(
                services.body.visibleText.contains(
                    "Așteaptă plata proformei \(p.number) (1.210,00 RON). Serviciul pornește imediat după plată."))
            // My Invoices: unpaid first, marked overdue, with Pay on the row.
            let list = try await b.get("/invoices")
            #expect(list.body.visibleText.contains("Neachitate"))
            #expect(list.body.visibleText.contains("Restantă din \(ro.date(due))"))
            #expect(list.body.contains(#"<a href="/invoices/proforma/\#(p.id)#pay" class="button primary pay">"#))
            // The proforma: Pay comes before the seller and the lines; amounts and VAT as Romanian writes them.
            let page = try await b.get("/invoices/proforma/\(p.id)")
            let text = page.body.visibleText
            let pay = try #require(page.body.range(of: #"id="pay""#))
            let seller = try #require(page.body.range(of: "Furnizor"))
            #expect(pay.lowerBound < seller.lowerBound)
            #expect(text.contains("TVA 21 % 210,00 RON") && text.contains("Total fără TVA 1.000,00 RON"))
            #expect(text.contains("Emisă \(ro.date(p.issueDate))"))
            #expect(!text.contains("1210.00"), "no neutral amount reaches a Romanian page")

            // Paid: the banner goes, the proforma shows the payment and links its fiscal invoice, which links back.
            let paid = try await h.fixtures.pay(p, reference: "OP 4711")
            let fiscal = try #require(paid.fiscalInvoice)
            #expect(!(try await b.get("/services").body.visibleText.contains("Aveți de plată")))
            let proforma = try await b.get("/invoices/proforma/\(p.id)")
            #expect(proforma.body.contains(#"<a href="/invoices/fiscal/\#(fiscal.id)" class="fiscal-link">"#))
            #expect(
                proforma.body.visibleText.contains(
                    "Plăți Data Modalitate Referință Sumă \(ro.date(h.deps.today())) Transfer bancar OP 4711 1.210,00 RON"
                ))
            let invoice = try await b.get("/invoices/fiscal/\(fiscal.id)")
            #expect(invoice.body.contains(#"<a href="/invoices/proforma/\#(p.id)">\#(p.number)</a>"#))
            #expect(invoice.body.visibleText.contains("Transfer bancar OP 4711 1.210,00 RON"))
        }
    }

    @Test func englishAndHindiPagesWriteAmountsAndDatesTheirWay() async throws {
        let h = try await WebHarness.make()
        let priya = try await h.fixtures.client("priya@example.in", language: "hi")
        let order = try await PlaceOrder(h.deps)(
            clientID: priya.id,
            try .parse(planID: try await h.fixtures.plan(monthly: "100000.00").id, cycle: "monthly", domain: "p.in"),
            billingProfileID: nil, actor: .client(priya.id))
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("priya@example.in", "correct horse battery")
            let hi = try await b.get("/invoices/proforma/\(order.proforma.id)")
            #expect(hi.body.visibleText.contains("1,21,000.00 RON"))
            #expect(hi.body.visibleText.contains(LocalFormat(.hi).date(order.proforma.issueDate)))
            let en = try await b.get("/invoices/proforma/\(order.proforma.id)?lang=en")
            #expect(en.body.visibleText.contains("Total 121,000.00 RON") && en.body.visibleText.contains("VAT 21%"))
            #expect(en.body.visibleText.contains(LocalFormat(.en).date(order.proforma.issueDate)))
        }
    }

    @Test func suspensionsAndEndingsSayWhyAndWhoToAsk() async throws {
        let h = try await WebHarness.make(environment: ["SUPPORT_URL": "https://help.hostico.test"])
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        let plan = try await h.fixtures.plan()
        let abused = try await h.fixtures.activeService(client: ana, plan: plan, domain: "abuse.ro")
        let ended = try await h.fixtures.activeService(client: ana, plan: plan, domain: "ended.ro")
        _ = try await SuspendService(h.deps)(serviceID: abused.id, reason: "abuse", note: "spam", actor: .staff(1))
        _ = try await CancelService(h.deps).atPeriodEnd(serviceID: ended.id, ownedBy: ana.id, actor: .client(ana.id))
        for _ in 0..<32 {
            h.clock.advance(days: 1)
            _ = try await DailyBillingTasks(h.deps)(asOf: h.deps.today())
        }
        let endedOn = try #require(
            try await h.deps.store.read { r in try await r.service(id: ended.id, forUpdate: false) })
        guard case .terminated(let on) = endedOn.lifecycle else {
            Issue.record("the cancelled service should have ended")
            return
        }
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            let text = try await b.get("/services").body.visibleText
            #expect(
                text.contains(
                    "Suspended for abuse of the terms of service. Contact support to resolve it. Support: Help centre"))
            #expect(
                text.contains(
                    "Ended on \(LocalFormat(.en).date(h.deps.civilDate(of: on))), at the end of its paid period, as you asked."
                ))
            #expect(
                try await b.get("/services").body.contains(
                    #"<a href="https://help.hostico.test" class="support-link">"#))
        }
    }

    @Test func theStaffHomeIsAWorkQueueAndAnInvoiceNumberOpensTheInvoice() async throws {
        let h = try await WebHarness.make()
        _ = try await CreateStaff(h.deps)(email: "ops@hostico.ro", name: "Ops", password: "staff password 1")
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        let order = try await PlaceOrder(h.deps)(
            clientID: ana.id, try .parse(planID: try await h.fixtures.plan().id, cycle: "monthly", domain: "ana.ro"),
            billingProfileID: nil, actor: .client(ana.id))
        h.clock.advance(days: 10)
        try await h.run { c in
            let staff = Browser(c)
            try await staff.logInStaffSettingUp2FA("ops@hostico.ro", "staff password 1", h)
            let home = try await staff.get("/staff")
            #expect(home.body.visibleText.contains("Work queue"))
            let overdue = try #require(
                home.body.range(of: #"data-queue="overdue""#).map { String(home.body[$0.lowerBound...].prefix(600)) })
            #expect(overdue.visibleText.contains("Overdue proformas 1"))
            #expect(overdue.contains(#"href="/staff/proformas/\#(order.proforma.id)""#))
            #expect(overdue.visibleText.contains("3 days ago"))
            #expect(home.body.contains(#"data-queue="orders""#))
            #expect(!home.body.contains(#"data-queue="messages""#), "an empty kind is not shown")
            let found = try await staff.get("/staff?q=\(order.proforma.number.lowercased())")
            #expect(found.location == "/staff/proformas/\(order.proforma.id)")

            // The audit log: filtered by client and action start, changes as "field: old → new", entities linked.
            let other = try await h.fixtures.client("ion@example.ro", language: "en")
            _ = try await ExtendPaymentDeadline(h.deps)(
                proformaID: order.proforma.id, until: h.deps.today().adding(days: 3).description,
                note: "asked by phone",
                actor: .staff(1))
            let log = try await staff.get("/staff/audit?client=\(ana.id)&action=proforma.")
            #expect(log.status == .ok)
            #expect(log.body.contains("proforma.payment_extended") && !log.body.contains("client.registered"))
            #expect(
                log.body.visibleText.contains(
                    "dueDate: \(order.proforma.dueDate) → \(h.deps.today().adding(days: 3)) note: asked by phone"))
            #expect(
                log.body.contains(
                    #"<a href="/staff/proformas/\#(order.proforma.id)">proforma #\#(order.proforma.id)</a>"#))
            #expect(log.body.visibleText.contains("Ops (staff #1)"))
            let everyone = try await staff.get("/staff/audit?action=client.registered")
            #expect(everyone.body.contains("client #\(other.id)") && everyone.body.contains("client #\(ana.id)"))
            let second = try await staff.get("/staff/audit?action=client.registered&page=1")
            #expect(second.body.visibleText.contains("No entry matches.") && second.body.contains("rel=\"prev\""))
            let bad = try await staff.get("/staff/audit?client=ana&from=yesterday")
            #expect(
                bad.status == .unprocessableContent && bad.body.visibleText.contains("Use a date such as 2026-12-01."))
        }
    }

    @Test func billingDataTypedWhileAProfileIsChosenAreRefusedNotDropped() async throws {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        let order = try await PlaceOrder(h.deps)(
            clientID: ana.id, try .parse(planID: try await h.fixtures.plan().id, cycle: "monthly", domain: "ana.ro"),
            billingProfileID: nil, actor: .client(ana.id))
        let p = order.proforma
        let profileID = try await h.deps.store.read { r in try await r.billingProfiles(clientID: ana.id) }[0].id
        let company: [(String, String)] = [
            ("p_kind", "legal_entity"), ("p_name", "Ionescu Shop SRL"), ("p_street", "Str. Mare 1"),
            ("p_city", "Cluj-Napoca"), ("p_county", "CJ"), ("p_postalCode", "400001"), ("p_country", "RO"),
            ("p_cui", "RO13548146"), ("p_cnp", ""),
        ]
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            let form = try await b.get("/invoices/proforma/\(p.id)/billing-data")
            // The choice is one select (Tab reaches it; every choice is an option); company fields are their own group.
            #expect(form.body.contains(#"<select id="f-source" name="source""#))
            #expect(form.body.contains(#"<option value="new""#) && form.body.contains("profile:\(profileID)"))
            #expect(form.body.contains(#"<fieldset class="company-fields">"#))
            // Typed company data with the saved profile left chosen: refused with the reason, nothing changes.
            let refused = try await b.post(
                "/invoices/proforma/\(p.id)/billing-data",
                [("source", "profile:\(profileID)")] + company + [("step", "preview")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.visibleText.contains("You typed new billing data but chose a saved profile."))
            #expect(refused.body.contains(#"value="Ionescu Shop SRL""#), "what was typed stays in the form")
            #expect(!refused.body.contains("section class=\"preview\""))
            // Chosen as new data: the preview compares before and after.
            let preview = try await b.post(
                "/invoices/proforma/\(p.id)/billing-data", [("source", "new")] + company + [("step", "preview")])
            #expect(preview.status == .ok)
            #expect(
                preview.body.visibleText.contains(
                    "What changes Now After the change Billed to Ana Popescu — A private person, Cluj-Napoca, RO Ionescu Shop SRL — A company (legal entity), Cluj-Napoca, RO"
                ))
            #expect(preview.body.visibleText.contains("Total 121.00 RON 121.00 RON"))
            #expect(
                try await h.deps.store.read { r in try await r.proforma(id: p.id, forUpdate: false) }?.buyer.name
                    == "Ana Popescu")
        }
    }

    @Test func formsNameCountriesAndCountiesAndListEveryErrorAtOnceInTheClientsLanguage() async throws {
        let h = try await WebHarness.make()
        try await h.run { c in
            let b = Browser(c)
            let form = try await b.get("/signup?lang=ro")
            #expect(form.body.contains(#"<option value="RO" selected>România</option>"#))
            #expect(form.body.contains(#"<option value="DE">Germania</option>"#))
            #expect(form.body.contains(#"<option value="CJ">Cluj</option>"#), "the counties are offered by name")
            // Every error of the form at once, listed at the top as links to the fields, the list focused.
            let refused = try await b.post(
                "/signup",
                [
                    ("email", "not-an-email"), ("password", "short"), ("phone", "12"), ("language", "ro"),
                    ("p_kind", "legal_entity"), ("p_name", "Test SRL"), ("p_street", "Str. 1"),
                    ("p_city", "Cluj-Napoca"),
                    ("p_county", "Atlantis"), ("p_postalCode", "400001"), ("p_country", "RO"), ("p_cui", "RO123"),
                ])
            #expect(refused.status == .unprocessableContent)
            let summary = try #require(
                refused.body.components(separatedBy: #"class="alert error-summary""#).dropFirst().first?
                    .components(separatedBy: "</div>").first)
            #expect(summary.contains("autofocus"))
            for field in ["email", "password", "phone", "p_county", "p_cui"] {
                #expect(summary.contains("href=\"#f-\(field)\""), "\(field) is listed")
            }
            #expect(!refused.body.visibleText.contains("Give the country"), "no English rule text on a Romanian page")
            // A county typed by its name is understood.
            let created = try await b.post(
                "/signup",
                [
                    ("email", "radu@example.ro"), ("password", "o parolă destul de lungă"), ("phone", "0744111222"),
                    ("language", "ro"), ("p_kind", "person"), ("p_name", "Radu Vlad"), ("p_street", "Str. Mare 1"),
                    ("p_city", "Iași"), ("p_county", "iasi"), ("p_postalCode", "700001"), ("p_country", "RO"),
                ])
            #expect(created.status == .seeOther)
            let details = try await b.get("/details")
            #expect(details.body.visibleText.contains("Radu Vlad"))
            #expect(details.body.contains(#"<option value="Asia/Kolkata">Asia/Kolkata</option>"#))
            // A page that does not exist, or an id that is not one, is the site's own page in the visitor's language.
            let missing = try await b.get("/no-such-page")
            #expect(missing.status == .notFound && missing.body.visibleText.contains("Pagina nu există."))
            let badID = try await b.get("/invoices/fiscal/abc")
            #expect(badID.status == .notFound && badID.body.contains("<!doctype html>"))
            #expect(!(try await b.get("/api/v1/no-such").body.contains("<!doctype html>")), "the API answers no HTML")
            let radu = try #require(
                try await h.deps.store.read { r in try await r.client(email: try EmailAddress.parse("radu@example.ro"))
                })
            let profile = try await h.deps.store.read { r in try await r.billingProfiles(clientID: radu.client.id) }
            #expect(profile.first?.party.address.county == "IS")
            // Abroad, the region typed in its own field is the address's county.
            let abroad = Browser(c)
            _ = try await abroad.get("/signup")
            let german = try await abroad.post(
                "/signup",
                [
                    ("email", "jonas@example.de"), ("password", "ein langes Passwort"), ("phone", "+4915112345678"),
                    ("language", "en"), ("p_kind", "person"), ("p_name", "Jonas Weber"), ("p_street", "Hauptstraße 1"),
                    ("p_city", "München"), ("p_county", ""), ("p_region", "Bavaria"), ("p_postalCode", "80331"),
                    ("p_country", "DE"),
                ])
            #expect(german.status == .seeOther)
            let jonas = try #require(
                try await h.deps.store.read { r in try await r.client(email: try EmailAddress.parse("jonas@example.de"))
                })
            #expect(
                try await h.deps.store.read { r in try await r.billingProfiles(clientID: jonas.client.id) }.first?.party
                    .address.county == "BAVARIA")
            let page = try await abroad.get("/details/profiles/new")
            #expect(page.body.contains(#"<select id="f-p_county" name="p_county">"#))
            #expect(
                page.body.contains(#"class="field abroad-only""#) && page.body.contains(#"class="field romania-only""#))
        }
    }
}
