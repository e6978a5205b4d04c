import Domain
import Features
import Foundation

/// A living demo: replays 70 days of a small hosting company on a clock moved by hand, so a new user sees
/// paid, unpaid, renewed, overdue, suspended (non-payment and abuse) and terminated services.
public struct DemoSeed: Sendable {
    let makeDeps: @Sendable (any TimeSource) -> AppDependencies

    public init(makeDeps: @escaping @Sendable (any TimeSource) -> AppDependencies) { self.makeDeps = makeDeps }

    public func callAsFunction(now: Date, log: @Sendable (String) -> Void) async throws {
        let clock = ManualClock(now.addingTimeInterval(-70 * 86_400))
        let deps = makeDeps(clock)
        let staff = Actor.system
        let start = CivilDate(dayNumber: deps.today().dayNumber)

        let plans = [
            try await CreateHostingPlan(deps)(
                try .parse(
                    code: "start", name: "Start", description: "10 GB SSD\n1 site\n5 mailboxes\nFree SSL",
                    currency: "RON", prices: ["monthly": "30.00", "annual": "300.00"], provisioner: nil), actor: staff),
            try await CreateHostingPlan(deps)(
                try .parse(
                    code: "business", name: "Business",
                    description: "50 GB SSD\n10 sites\nUnlimited mailboxes\nDaily backups\nFree SSL",
                    currency: "RON", prices: ["monthly": "60.00", "quarterly": "170.00", "annual": "650.00"],
                    provisioner: nil), actor: staff),
            try await CreateHostingPlan(deps)(
                try .parse(
                    code: "cloud-eu", name: "Cloud EU",
                    description: "2 vCPU, 4 GB RAM\n80 GB NVMe\nData centre in Frankfurt",
                    currency: "EUR", prices: ["monthly": "12.00", "annual": "120.00"], provisioner: nil), actor: staff),
        ]
        for back in 0...75 {
            let day = start.adding(days: -5 + back)
            _ = try await SetExchangeRate(deps)(
                ExchangeRate(currency: .EUR, ronPerUnitE4: Int64(49_750 + back % 40), date: day), actor: staff)
            _ = try await SetExchangeRate(deps)(
                ExchangeRate(currency: .USD, ronPerUnitE4: Int64(43_120 + back % 50), date: day), actor: staff)
        }

        struct Demo {
            let email, language, phone: String
            let sms: Bool
            let party: BillingPartyDraft
            let plan: Int
            let cycle: String
            let domain: String
            let pays: Bool
        }
        let people: [Demo] = [
            Demo(
                email: "ana.popescu@example.ro", language: "ro", phone: "0722123456", sms: true,
                party: BillingPartyDraft(
                    kind: "person", name: "Ana Popescu", street: "Str. Memorandumului 10", city: "Cluj-Napoca",
                    county: "CJ", postalCode: "400114", country: "RO", cnp: "2700116065277"), plan: 0, cycle: "monthly",
                domain: "ana-popescu.ro", pays: true),
            Demo(
                email: "contact@tutea-design.ro", language: "ro", phone: "+40 745 000 111", sms: false,
                party: BillingPartyDraft(
                    kind: "legal_entity", name: "Țuțea Design SRL", street: "Bd. Unirii 5", city: "SECTOR3",
                    county: "B", country: "RO", cui: "18547290", tradeRegisterNumber: "J40/1234/2015",
                    vatNumber: "RO18547290"), plan: 1, cycle: "quarterly", domain: "tutea-design.ro", pays: true),
            Demo(
                email: "billing@mueller-web.de", language: "en", phone: "+49 151 12345678", sms: false,
                party: BillingPartyDraft(
                    kind: "legal_entity", name: "Müller Web GmbH", street: "Hauptstraße 1", city: "Berlin",
                    postalCode: "10115", country: "DE", vatNumber: "DE123456789"), plan: 2, cycle: "monthly",
                domain: "mueller-web.de", pays: true),
            Demo(
                email: "priya.sharma@example.in", language: "hi", phone: "+91 98765 43210", sms: true,
                party: BillingPartyDraft(
                    kind: "person", name: "प्रिया शर्मा (Priya Sharma)", street: "12 MG Road", city: "Bengaluru", country: "IN"
                ), plan: 2, cycle: "monthly", domain: "priya.in", pays: true),
            Demo(
                email: "ion.ionescu@example.ro", language: "ro", phone: "0733987654", sms: true,
                party: BillingPartyDraft(
                    kind: "person", name: "Ion Ionescu", street: "Str. Lăpușneanu 3", city: "Iași", county: "IS",
                    country: "RO"), plan: 0, cycle: "monthly", domain: "ion-blog.ro", pays: false),
            Demo(
                email: "kovacs.eva@example.hu", language: "en", phone: "+36 30 123 4567", sms: false,
                party: BillingPartyDraft(
                    kind: "person", name: "Kovács Éva", street: "Andrássy út 1", city: "Budapest", country: "HU"),
                plan: 0, cycle: "monthly", domain: "eva.hu", pays: false),
        ]
        var payers: Set<Int64> = []
        var abuseTarget: Int64?
        for (i, d) in people.enumerated() {
            let c = try await RegisterClient(deps)(
                try ClientRegistration.parse(
                    email: d.email, password: "demo-password-\(i)", phone: d.phone, language: d.language,
                    smsOptIn: d.sms, profile: d.party), source: .signup)
            let order = try await PlaceOrder(deps)(
                clientID: c.id, try .parse(planID: plans[d.plan].id, cycle: d.cycle, domain: d.domain),
                billingProfileID: nil, actor: .client(c.id))
            // Every demo client paid the first order; only payers keep paying renewals.
            _ = try await RecordPayment(deps)(
                proformaID: order.proforma.id,
                .init(
                    amount: order.proforma.totals.gross, method: .bankTransfer, reference: "OP-\(order.proforma.number)"
                ), actor: staff)
            if d.pays { payers.insert(c.id) }
            if i == 1 { abuseTarget = order.service.id }
            log("client \(d.email): \(d.domain) (\(plans[d.plan].name), \(d.cycle))")
        }
        // A second company profile for Ana, to try proforma editing person ↔ company.
        _ = try await AddBillingProfile(deps)(
            clientID: 1,
            draft: BillingPartyDraft(
                kind: "legal_entity", name: "Popescu Consulting SRL", street: "Str. Horea 2", city: "Cluj-Napoca",
                county: "CJ", country: "RO", cui: "13548146", tradeRegisterNumber: "J12/345/2010"), makeDefault: false,
            actor: .client(1))

        for day in 1...70 {
            // 24 hours on, as the worker would see them: across a change of summer time the billing day repeats or is
            // skipped near midnight, and catching up runs each day once, as the worker does.
            clock.advance(days: 1)
            _ = try await DailyBillingTasks(deps).catchUp(through: deps.today())
            let unpaid = try await deps.store.read { r in
                try await r.proformas(clientID: nil, state: .unpaid, limit: 500, offset: 0)
            }
            for p in unpaid where payers.contains(p.clientID) && p.origin == .renewal {
                _ = try await RecordPayment(deps)(
                    proformaID: p.id, .init(amount: p.totals.gross, method: .bankTransfer, reference: "OP-\(p.number)"),
                    actor: staff)
            }
            // An order not paid yet (a pending service): placed late enough that it has not lapsed by the end.
            if day == 60 {
                _ = try await PlaceOrder(deps)(
                    clientID: 5, try .parse(planID: plans[1].id, cycle: "annual", domain: "ion-shop.ro"),
                    billingProfileID: nil, actor: .client(5))
            }
            if day == 50, let target = abuseTarget {
                _ = try await SuspendService(deps)(
                    serviceID: target, reason: "abuse", note: "Phishing page reported by CERT-RO", actor: staff)
            }
        }
        log("replayed 70 days up to \(deps.today())")
    }
}
