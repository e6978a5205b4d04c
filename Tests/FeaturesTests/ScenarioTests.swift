import Domain
import Features
import Foundation
import Storage
import TestSupport
import Testing

@Suite("A client's year on a manual clock")
struct ScenarioTests {
    @Test func thirteenMonthsOfRenewalsPaymentsSuspensionAndAbuse() async throws {
        // Given a client with a monthly service ordered and paid on 2026-01-15
        let db = try await TestDatabase.open(.sqlite)
        let clock = ManualClock(TestDates.start)
        let deps = makeTestDependencies(database: db, clock: clock)
        let f = Fixtures(deps)
        let client = try await f.client("ana@example.ro", sms: false)
        let service = try await f.activeService(client: client, plan: try await f.plan(), domain: "ana.ro")
        let tasks = { (day: CivilDate) in
            _ = try await RunBilling(deps)(asOf: day)
            _ = try await SendOverdueReminders(deps)(asOf: day)
            _ = try await SuspendOverdueServices(deps)(asOf: day)
            _ = try await TerminateSuspendedServices(deps)(asOf: day)
        }
        var skippedMonth = false
        // When 13 months pass, day by day; the client pays each renewal on its issue day, except in June
        for _ in 0..<(13 * 31) {
            clock.advance(days: 1)
            let today = deps.today()
            try await tasks(today)
            for p in try await deps.store.read({ r in
                try await r.proformas(clientID: client.id, state: .unpaid, limit: 10, offset: 0)
            }) {
                if p.dueDate.month == 6 && !skippedMonth {
                    if today < p.dueDate.adding(days: 7) { continue }  // pays late: after the suspension
                    skippedMonth = true
                }
                _ = try await f.pay(p)
            }
        }
        // Then every month was billed exactly once, and every renewal has its fiscal invoice
        let all = try await deps.store.read { r in
            try await r.proformas(clientID: client.id, state: nil, limit: 100, offset: 0)
        }
        let periods = all.flatMap(\.lines).compactMap(\.period).map(\.start.description)
        #expect(Set(periods).count == periods.count)
        #expect(periods.count == 14)  // the order plus 13 renewals up to 2027-02-15 + 14 days lead
        #expect(all.filter { $0.origin == .renewal }.allSatisfy { $0.state == .paid })
        let fiscal = try await deps.store.read { r in
            try await r.fiscalInvoices(clientID: client.id, limit: 100, offset: 0)
        }
        #expect(fiscal.count == 14)
        // Gapless per series: 2026 then 2027 restarts at 1.
        let n2026 = fiscal.filter { $0.series == "HST2026" }.map(\.number).sorted()
        #expect(n2026 == Array(1...Int64(n2026.count)))
        // The late June payment suspended and then reactivated the service
        let events = try await deps.store.read { r in try await r.outbox(clientID: client.id, limit: 500) }
        #expect(events.filter { $0.kind == "service.suspended" }.count == 1)
        #expect(events.filter { $0.kind == "service.reactivated" }.count == 1)
        #expect(events.filter { $0.kind == "proforma.overdue_reminder" }.count == 2)
        #expect(events.filter { $0.kind == "proforma.issued" && $0.payload["origin"] == "renewal" }.count == 13)
        let now = try await deps.store.read { r in try await r.service(id: service.id, forUpdate: false) }!
        #expect(now.state == .active)
        #expect(now.nextDueDate.description == "2027-03-15")

        // An abuse hold is not lifted by payment
        _ = try await SuspendService(deps)(serviceID: service.id, reason: "abuse", note: "phishing", actor: .staff(1))
        clock.advance(days: 20)
        try await tasks(deps.today())
        for p in try await deps.store.read({ r in
            try await r.proformas(clientID: client.id, state: .unpaid, limit: 10, offset: 0)
        }) { _ = try await f.pay(p) }
        let held = try await deps.store.read { r in try await r.service(id: service.id, forUpdate: false) }!
        #expect(held.state == .suspended)
        #expect(held.holds.map(\.reason) == [.abuse])
        let lifted = try await UnsuspendService(deps)(
            serviceID: service.id, holdID: nil, reason: "abuse", actor: .staff(1))
        #expect(lifted.state == .active)
        await db.close()
    }

    @Test func editingAProformaSwitchesVatBothWaysAndTheFiscalInvoiceCarriesTheFinalData() async throws {
        let db = try await TestDatabase.open(.sqlite)
        let deps = makeTestDependencies(database: db, clock: ManualClock(TestDates.start))
        let f = Fixtures(deps)
        let client = try await f.client("ana@example.ro")
        let order = try await PlaceOrder(deps)(
            clientID: client.id, try .parse(planID: try await f.plan().id, cycle: "monthly", domain: "ana.ro"),
            billingProfileID: nil, actor: .client(client.id))
        let edit = EditProformaBillingData(deps)
        let preview = try await edit.preview(
            proformaID: order.proforma.id, clientID: client.id,
            buyer: .data(Fixtures.germanCompany, saveAsProfile: false))
        #expect(preview.totals.grossMinor == 10000)
        #expect(preview.vat.mention == VatTreatment.reverseChargeMention)
        let asCompany = try await edit(
            proformaID: order.proforma.id, clientID: client.id,
            buyer: .data(Fixtures.germanCompany, saveAsProfile: true), actor: .client(client.id))
        #expect(asCompany.totals.grossMinor == 10000 && asCompany.version == 2)
        let back = try await edit(
            proformaID: order.proforma.id, clientID: client.id,
            buyer: .data(Fixtures.romanianPerson, saveAsProfile: false), actor: .client(client.id))
        #expect(back.totals.grossMinor == 12100 && back.version == 3)
        let final = try await edit(
            proformaID: order.proforma.id, clientID: client.id,
            buyer: .data(Fixtures.romanianCompany, saveAsProfile: false), actor: .client(client.id))
        // Another client can never edit it
        await #expect(throws: UseCaseError.notFound("proforma")) {
            try await edit(
                proformaID: order.proforma.id, clientID: client.id + 1,
                buyer: .data(Fixtures.romanianPerson, saveAsProfile: false), actor: .client(client.id + 1))
        }
        let paid = try await f.pay(final)
        #expect(paid.fiscalInvoice?.buyer.name == "Țuțea Design SRL")
        // A paid proforma can no longer be edited
        await #expect(
            throws: UseCaseError.conflict(
                rule: "proforma.not-unpaid",
                message: "This proforma is paid; only an unpaid proforma can be changed or paid.")
        ) {
            try await edit(
                proformaID: order.proforma.id, clientID: client.id,
                buyer: .data(Fixtures.romanianPerson, saveAsProfile: false), actor: .client(client.id))
        }
        let versions = try await deps.store.read { r in
            try await r.audit(entity: "proforma", entityID: order.proforma.id, limit: 50)
        }.filter { $0.action == "proforma.billing_data_edited" }
        #expect(versions.count == 3)
        #expect(try await deps.store.read { r in try await r.billingProfiles(clientID: client.id) }.count == 2)
        await db.close()
    }
}

@Suite("Concurrency on PostgreSQL", .serialized)
struct ConcurrencyTests {
    @Test func fiftyPaymentsAtOnceGetFiftyConsecutiveFiscalNumbers() async throws {
        let db = try await TestDatabase.open(.postgres)
        let deps = makeTestDependencies(database: db, clock: ManualClock(TestDates.start))
        let f = Fixtures(deps)
        let plan = try await f.plan()
        var proformas: [ProformaInvoice] = []
        for i in 0..<50 {
            let c = try await f.client("c\(i)@example.ro")
            proformas.append(
                try await PlaceOrder(deps)(
                    clientID: c.id, try .parse(planID: plan.id, cycle: "monthly", domain: "s\(i).ro"),
                    billingProfileID: nil, actor: .system
                ).proforma)
        }
        let numbers = try await withThrowingTaskGroup(of: Int64.self) { group in
            for p in proformas { group.addTask { try await f.pay(p).fiscalInvoice!.number } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(numbers.sorted() == Array(1...50))
        await db.close()
    }

    @Test func theSameProformaPaidTwiceAtOnceGivesOneFiscalInvoiceAndCredit() async throws {
        let db = try await TestDatabase.open(.postgres)
        let deps = makeTestDependencies(database: db, clock: ManualClock(TestDates.start))
        let f = Fixtures(deps)
        let c = try await f.client("a@example.ro")
        let p = try await PlaceOrder(deps)(
            clientID: c.id, try .parse(planID: try await f.plan().id, cycle: "monthly", domain: "a.ro"),
            billingProfileID: nil, actor: .system
        ).proforma
        async let a = f.pay(p)
        async let b = f.pay(p)
        let outcomes = try await [a, b]
        #expect(outcomes.compactMap(\.fiscalInvoice).map(\.id).count == 2)  // both report the one invoice
        #expect(Set(outcomes.compactMap(\.fiscalInvoice).map(\.id)).count == 1)
        #expect(
            try await deps.store.read { r in try await r.fiscalInvoices(clientID: c.id, limit: 10, offset: 0) }.count
                == 1)
        #expect(try await deps.store.read { r in try await r.creditBalance(clientID: c.id, currency: .RON) } == 12100)
        await db.close()
    }

    @Test func twoBillingRunsAtOnceIssueEachPeriodOnce() async throws {
        let db = try await TestDatabase.open(.postgres)
        let clock = ManualClock(TestDates.start)
        let deps = makeTestDependencies(database: db, clock: clock)
        let f = Fixtures(deps)
        let plan = try await f.plan()
        for i in 0..<30 {
            _ = try await f.activeService(
                client: try await f.client("c\(i)@example.ro"), plan: plan, domain: "s\(i).ro")
        }
        clock.advance(days: 26)  // 2026-02-10
        async let r1 = RunBilling(deps, clientsPerTransaction: 3)(asOf: CivilDate("2026-02-10")!)
        async let r2 = RunBilling(deps, clientsPerTransaction: 5)(asOf: CivilDate("2026-02-10")!)
        let reports = try await [r1, r2]
        #expect(reports.map(\.periodsInvoiced).reduce(0, +) == 30)
        #expect(reports.flatMap(\.failures).isEmpty)
        let lines = try await deps.store.read { r in
            try await r.proformas(clientID: nil, state: .unpaid, limit: 500, offset: 0)
        }.flatMap(\.lines)
        #expect(lines.count == 30)
        await db.close()
    }
}
