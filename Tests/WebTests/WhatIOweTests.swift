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
        }
    }
}
