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

@Suite("Client self-service pages: order, cancel, credit")
struct SelfServicePageTests {
    @Test func aClientOrdersTwoPlansReviewsTheTotalsAndGetsOneProforma() async throws {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        let start = try await h.fixtures.plan()
        let pro = try await h.fixtures.plan("pro", monthly: "50.00")
        _ = try await UpdateHostingPlan(h.deps)(
            planID: pro.id,
            try .parse(
                code: "pro", name: "Pro", description: "20 GB SSD\n<b>3</b> sites", currency: "RON",
                prices: ["monthly": "50.00", "annual": "1000.00"], provisioner: nil), actor: .staff(1))
        let retired = try await h.fixtures.plan("old", monthly: "5.00")
        _ = try await RetireHostingPlan(h.deps)(planID: retired.id, retired: true, actor: .staff(1))
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            let catalogue = try await b.get("/order")
            #expect(catalogue.status == .ok)
            #expect(catalogue.body.visibleText.contains("Monthly: 100.00 RON"))
            #expect(catalogue.body.contains(#"data-plan="pro""#) && !catalogue.body.contains(#"data-plan="old""#))
            // What a plan includes, one item per line, escaped.
            #expect(catalogue.body.contains("<li>20 GB SSD</li><li>&lt;b&gt;3&lt;/b&gt; sites</li>"))
            // A bad domain is named on its row and nothing is ordered.
            let bad = try await b.post(
                "/order/review",
                [("plan0", "\(start.id):monthly"), ("domain0", "not a domain"), ("plan1", ""), ("domain1", "")])
            #expect(bad.status == .unprocessableContent && bad.body.contains(#"id="e-domain0""#))
            // A second row with a cycle the plan does not sell is named on that row.
            let quarterly = try await b.post(
                "/order/review",
                [
                    ("plan0", "\(start.id):monthly"), ("domain0", "ana.ro"), ("plan1", "\(pro.id):quarterly"),
                    ("domain1", "b.ro"),
                ])
            #expect(quarterly.status == .unprocessableContent && quarterly.body.contains(#"id="e-plan1""#))
            let fields = [
                ("plan0", "\(start.id):monthly"), ("domain0", "ana.ro"), ("plan1", "\(pro.id):annual"),
                ("domain1", "blog.ana.ro"),
            ]
            let review = try await b.post("/order/review", fields)
            #expect(review.status == .ok)
            // 100.00 + 1000.00 net, 21 % VAT: the totals before confirming.
            #expect(review.body.visibleText.contains("1,331.00 RON"))
            #expect(review.body.visibleText.contains("Start – ana.ro"))
            #expect(
                try await h.deps.store.read { r in
                    try await r.proformas(clientID: ana.id, state: nil, limit: 9, offset: 0)
                }.isEmpty)
            let placed = try await b.post("/order", fields + [("profile", "")])
            let proformas = try await h.deps.store.read { r in
                try await r.proformas(clientID: ana.id, state: nil, limit: 9, offset: 0)
            }
            let proforma = try #require(proformas.first)
            #expect(proformas.count == 1 && proforma.lines.count == 2 && proforma.origin == .order)
            #expect(placed.location == "/invoices/proforma/\(proforma.id)")
            let page = try await b.get("/invoices/proforma/\(proforma.id)")
            #expect(page.body.visibleText.contains("Your order is placed."))
            #expect(page.body.visibleText.contains(proforma.number))
            let services = try await b.get("/services")
            #expect(services.body.contains("pill pending") && services.body.visibleText.contains("blog.ana.ro"))
        }
    }

    @Test func aClientCancelsAtPeriodEndSeesTheLastDayAndWithdrawsIt() async throws {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro", language: "ro")
        let service = try await h.fixtures.activeService(
            client: ana, plan: try await h.fixtures.plan(), domain: "ana.ro")
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            let ask = try await b.get("/services/\(service.id)/cancel")
            #expect(
                ask.body.visibleText.contains(
                    "ana.ro funcționează până pe \(LocalFormat(.ro).date(service.nextDueDate.adding(days: -1)))"))
            #expect(try await b.post("/services/\(service.id)/cancel", []).location == "/services")
            let after = try await b.get("/services")
            #expect(
                after.body.visibleText.contains(
                    "Se încheie pe \(LocalFormat(.ro).date(service.nextDueDate.adding(days: -1)))"))
            #expect(after.body.contains("/services/\(service.id)/cancel/withdraw"))
            #expect(try await b.post("/services/\(service.id)/cancel/withdraw", []).location == "/services")
            let again = try await b.get("/services")
            #expect(!again.body.visibleText.contains("Se încheie pe"))
            #expect(again.body.contains("/services/\(service.id)/cancel\""))
            // Another client's service is not found.
            let ion = try await h.fixtures.client("ion@example.ro", language: "en")
            let other = try await h.fixtures.activeService(
                client: ion, plan: try await h.fixtures.plan("pro"), domain: "ion.ro")
            #expect(try await b.post("/services/\(other.id)/cancel", []).status == .notFound)
        }
    }

    @Test func anOverpaymentShowsAsCreditInMyInvoices() async throws {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        let order = try await PlaceOrder(h.deps)(
            clientID: ana.id, try .parse(planID: try await h.fixtures.plan().id, cycle: "monthly", domain: "ana.ro"),
            billingProfileID: nil, actor: .client(ana.id))
        _ = try await h.fixtures.pay(order.proforma, amount: "150.00")
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            let invoices = try await b.get("/invoices")
            #expect(invoices.body.visibleText.contains("Credit balance: 29.00 RON"))
            #expect(invoices.body.visibleText.contains("Overpayment of \(order.proforma.number)"))
        }
    }

    @Test func aClientUpgradesAtOnceAndDowngradesFromTheRenewal() async throws {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        let service = try await h.fixtures.activeService(
            client: ana, plan: try await h.fixtures.plan(), domain: "ana.ro")
        let pro = try await h.fixtures.plan("pro", monthly: "200.00")
        let lite = try await h.fixtures.plan("lite", monthly: "50.00")
        _ = try await h.fixtures.plan("euro", currency: "EUR", monthly: "10.00")
        try await h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            #expect(try await b.get("/services").body.contains("/services/\(service.id)/plan"))
            let page = try await b.get("/services/\(service.id)/plan")
            // Only plans of the service's cycle and currency; what each does.
            #expect(page.body.contains(#"data-plan="\#(pro.id)""#) && !page.body.visibleText.contains("Euro"))
            #expect(
                page.body.visibleText.contains(
                    "At once; the difference for the rest of the period is 100.00 RON plus VAT."))
            #expect(
                page.body.visibleText.contains("From the renewal on \(LocalFormat(.en).date(service.nextDueDate))."))
            let down = try await b.post("/services/\(service.id)/plan", [("planId", String(lite.id))])
            #expect(down.location == "/services")
            #expect(
                try await b.get("/services").body.visibleText.contains(
                    "Changes to Lite with the renewal on \(LocalFormat(.en).date(service.nextDueDate))."))
            let up = try await b.post("/services/\(service.id)/plan", [("planId", String(pro.id))])
            let proforma = try #require(
                try await h.deps.store.read { r in
                    try await r.proformas(clientID: ana.id, state: .unpaid, limit: 5, offset: 0)
                }.first)
            #expect(up.location == "/invoices/proforma/\(proforma.id)")
            #expect(try await b.get(up.location ?? "").body.visibleText.contains("The new plan is active."))
            let s = try await h.deps.store.read { r in try await r.service(id: service.id, forUpdate: false)! }
            #expect(s.planID == pro.id && s.scheduledChange == nil)
        }
    }

    @Test func staffEditAndRetirePlansOrderForAClientAndRefundCredit() async throws {
        let h = try await WebHarness.make()
        _ = try await CreateStaff(h.deps)(email: "ops@hostico.ro", name: "Ops", password: "staff password 1")
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        let plan = try await h.fixtures.plan()
        let order = try await PlaceOrder(h.deps)(
            clientID: ana.id, try .parse(planID: plan.id, cycle: "monthly", domain: "ana.ro"), billingProfileID: nil,
            actor: .client(ana.id))
        _ = try await h.fixtures.pay(order.proforma, amount: "150.00")  // 29.00 credit
        try await h.run { c in
            let staff = Browser(c)
            try await staff.logInStaffSettingUp2FA("ops@hostico.ro", "staff password 1", h)
            // A new plan: a bad price is named on its field and nothing is added.
            try await staff.get("/staff/plans")
            let bad = try await staff.post(
                "/staff/plans",
                [("code", "pro"), ("name", "Pro"), ("currency", "RON"), ("price_monthly", "-5"), ("price_annual", "")])
            #expect(bad.status == .unprocessableContent && bad.body.contains(#"id="e-price_monthly""#))
            #expect(
                try await staff.post(
                    "/staff/plans",
                    [
                        ("code", "pro"), ("name", "Pro"), ("description", "20 GB SSD\n3 sites"), ("currency", "RON"),
                        ("price_monthly", "80.00"), ("price_annual", ""),
                    ]
                ).location == "/staff/plans")
            let pro = try #require(try await ServiceQueries(h.deps).plans().first { $0.code == "pro" })
            #expect(pro.prices == [.monthly: 80_00] && pro.description == "20 GB SSD\n3 sites")
            // Edited: new prices for new orders; the sold service keeps its own.
            try await staff.get("/staff/plans/\(plan.id)")
            #expect(
                try await staff.post(
                    "/staff/plans/\(plan.id)",
                    [("name", "Start 2027"), ("price_monthly", "110.00"), ("price_quarterly", "300.00")]
                ).location == "/staff/plans")
            let edited = try await ServiceQueries(h.deps).plan(id: plan.id)
            #expect(edited.name == "Start 2027" && edited.prices == [.monthly: 110_00, .quarterly: 300_00])
            #expect(
                try await h.deps.store.read { r in try await r.service(id: order.service.id, forUpdate: false)! }.price
                    .minor == 100_00)
            #expect(try await staff.post("/staff/plans/\(pro.id)/retire", []).location == "/staff/plans")
            #expect(try await staff.get("/staff/plans").body.visibleText.contains("retired"))
            // Refunds: never more than the balance; recorded with the transfer's reference.
            #expect(
                try await staff.get("/staff/clients/\(ana.id)?tab=invoices").body.visibleText.contains(
                    "Credit: 29.00 RON"))
            #expect(
                try await staff.post(
                    "/staff/clients/\(ana.id)/credit/refund",
                    [("amount", "30.00"), ("currency", "RON"), ("reference", "OP 9")]
                ).status == .conflict)
            #expect(
                try await staff.post(
                    "/staff/clients/\(ana.id)/credit/refund",
                    [("amount", "29.00"), ("currency", "RON"), ("reference", "OP 9")]
                ).location == "/staff/clients/\(ana.id)?tab=invoices")
            let after = try await staff.get("/staff/clients/\(ana.id)?tab=invoices")
            #expect(after.body.visibleText.contains("Refunded by bank transfer, reference OP 9"))
            #expect(after.body.visibleText.contains("Credit: none"))
            // The client's payments, with their proforma.
            #expect(after.body.visibleText.contains("\(order.proforma.number) 150.00 RON bank_transfer"))
            // An order placed for the client, from the client page.
            let page = try await staff.get("/staff/clients/\(ana.id)")
            #expect(!page.body.contains("\(pro.id):monthly"), "a retired plan is not offered")
            let placed = try await staff.post(
                "/staff/clients/\(ana.id)/orders", [("plan", "\(plan.id):quarterly"), ("domain", "shop.ana.ro")])
            let proformas = try await h.deps.store.read { r in
                try await r.proformas(clientID: ana.id, state: .unpaid, limit: 5, offset: 0)
            }
            let staffOrder = try #require(proformas.first)
            #expect(placed.location == "/staff/proformas/\(staffOrder.id)")
            #expect(staffOrder.origin == .order && staffOrder.lines.map(\.unitPriceMinor) == [300_00])
        }
    }
}
