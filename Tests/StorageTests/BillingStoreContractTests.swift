import Domain
import Features
import Foundation
import Storage
import TestSupport
import Testing

/// One contract, run on SQLite and on PostgreSQL: what the data must be after each use case.
@Suite("Billing store contract", .serialized)
struct BillingStoreContractTests {
    func setup(_ kind: DatabaseKind) async throws -> (AppDependencies, ManualClock, Fixtures, Database) {
        let db = try await TestDatabase.open(kind)
        let clock = ManualClock(TestDates.start)
        let deps = makeTestDependencies(database: db, clock: clock)
        return (deps, clock, Fixtures(deps), db)
    }

    @Test(arguments: DatabaseKind.allCases)
    func orderThenPaymentIssuesAFiscalInvoiceAndActivates(kind: DatabaseKind) async throws {
        let (deps, _, f, db) = try await setup(kind)
        defer { Task { await db.close() } }
        let client = try await f.client("ana@example.ro")
        let plan = try await f.plan()
        let order = try await PlaceOrder(deps)(
            clientID: client.id, try .parse(planID: plan.id, cycle: "monthly", domain: "ana.ro"), billingProfileID: nil,
            actor: .client(client.id))
        #expect(order.proforma.number == "PF-2026-000001")
        #expect(order.proforma.origin == .order)
        #expect(order.service.state == .pending)
        #expect(order.proforma.totals.gross == Money(minor: 12100, currency: .RON))

        let outcome = try await f.pay(order.proforma)
        #expect(outcome.fiscalInvoice?.displayNumber == "HST2026-000001")
        #expect(outcome.fiscalInvoice?.buyer.name == "Ana Popescu")
        let service = try await deps.store.read { r in try await r.service(id: order.service.id, forUpdate: false) }
        #expect(service?.state == .active)
        #expect(service?.nextDueDate.description == "2026-02-15")
        let events = try await deps.store.read { r in try await r.outbox(clientID: client.id, limit: 10) }
        #expect(events.map(\.kind) == ["proforma.issued", "payment.confirmed"])
        #expect(events.first?.payload["origin"] == "order")
        let audit = try await deps.store.read { r in try await r.audit(entity: nil, entityID: nil, limit: 100) }.map(
            \.action)
        #expect(
            audit.contains("proforma.issued") && audit.contains("payment.recorded")
                && audit.contains("fiscal_invoice.issued"))
    }

    @Test(arguments: DatabaseKind.allCases)
    func partialPaymentsThenOverpaymentBecomeCredit(kind: DatabaseKind) async throws {
        let (deps, _, f, db) = try await setup(kind)
        defer { Task { await db.close() } }
        let client = try await f.client("ana@example.ro")
        let order = try await PlaceOrder(deps)(
            clientID: client.id, try .parse(planID: try await f.plan().id, cycle: "monthly", domain: "ana.ro"),
            billingProfileID: nil, actor: .system)
        let first = try await f.pay(order.proforma, amount: "100.00")
        #expect(first.fiscalInvoice == nil)
        #expect(first.proforma.openMinor == 2100)
        let second = try await f.pay(first.proforma, amount: "50.00")
        #expect(second.fiscalInvoice != nil)
        #expect(second.creditMinor == 2900)
        #expect(
            try await deps.store.read { r in try await r.creditBalance(clientID: client.id, currency: .RON) } == 2900)
    }

    @Test(arguments: DatabaseKind.allCases)
    func billingRunIsIdempotentAndCatchesUp(kind: DatabaseKind) async throws {
        let (deps, clock, f, db) = try await setup(kind)
        defer { Task { await db.close() } }
        let plan = try await f.plan()
        for i in 1...3 {
            let c = try await f.client("c\(i)@example.ro")
            _ = try await f.activeService(client: c, plan: plan, domain: "site\(i).ro")
            _ = try await f.activeService(client: c, plan: plan, domain: "shop\(i).ro")
        }
        clock.advance(days: 76)
        // 76 days later (2026-04-01), with no run in between: periods starting 02-15, 03-15 and 04-15 are within 14 days.
        let report = try await RunBilling(deps, clientsPerTransaction: 2)(asOf: CivilDate("2026-04-01")!)
        #expect(report.servicesConsidered == 6)
        #expect(report.periodsInvoiced == 18)
        // Per client and due date. The two periods that started before the run (02-15, 03-15) are due 7 days after it
        // (04-08, the minimum payment term), not in the past; 04-15's keeps its first day: 3 clients × 2 due dates.
        #expect(report.proformasIssued == 6)
        let again = try await RunBilling(deps)(asOf: CivilDate("2026-04-01")!)
        #expect(again.proformasIssued == 0)
        #expect(again.periodsInvoiced == 0)
        let renewals = try await deps.store.read { r in
            try await r.proformas(clientID: nil, state: .unpaid, limit: 100, offset: 0)
        }
        #expect(renewals.count == 6)
        #expect(renewals.allSatisfy { $0.origin == .renewal })
        #expect(
            Dictionary(grouping: renewals, by: \.dueDate.description).mapValues { $0.map(\.lines.count) } == [
                "2026-04-08": [4, 4, 4], "2026-04-15": [2, 2, 2],
            ])
        let runs = try await deps.store.read { r in try await r.billingRuns(limit: 10) }
        #expect(runs.count == 2)
    }

    @Test(arguments: DatabaseKind.allCases)
    func theSchemaRefusesASecondLineForTheSamePeriod(kind: DatabaseKind) async throws {
        let (deps, _, f, db) = try await setup(kind)
        defer { Task { await db.close() } }
        let c = try await f.client("a@example.ro")
        let order = try await PlaceOrder(deps)(
            clientID: c.id, try .parse(planID: try await f.plan().id, cycle: "monthly", domain: "a.ro"),
            billingProfileID: nil, actor: .system)
        let line = order.proforma.lines[0]
        await #expect(throws: StoreError.self) {
            try await deps.store.write { tx in
                _ = try await tx.insert(
                    proforma: NewProforma(
                        series: "PF-2026", number: 99, displayNumber: "PF-2026-000099", clientID: c.id,
                        origin: .renewal, currency: .RON, issueDate: CivilDate("2026-01-15")!,
                        dueDate: CivilDate("2026-01-15")!, buyer: order.proforma.buyer, billingProfileID: nil,
                        vat: order.proforma.vat, lines: [line], createdAt: Date()))
            }
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func fiscalInvoicesCannotBeUpdatedOrDeletedEvenInSQL(kind: DatabaseKind) async throws {
        let (deps, _, f, db) = try await setup(kind)
        defer { Task { await db.close() } }
        let c = try await f.client("a@example.ro")
        _ = try await f.activeService(client: c, plan: try await f.plan(), domain: "a.ro")
        await #expect(throws: (any Error).self) {
            try await db.withTransaction { sql in try await sql.raw("UPDATE fiscal_invoices SET total_minor = 1").run()
            }
        }
        await #expect(throws: (any Error).self) {
            try await db.withTransaction { sql in try await sql.raw("DELETE FROM fiscal_invoices").run() }
        }
        let invoices = try await deps.store.read { r in try await r.fiscalInvoices(clientID: nil, limit: 10, offset: 0)
        }
        #expect(invoices.map(\.totals.grossMinor) == [12100])
    }

    @Test(arguments: DatabaseKind.allCases)
    func stornoReferencesTheOriginalAndOnlyOnce(kind: DatabaseKind) async throws {
        let (deps, _, f, db) = try await setup(kind)
        defer { Task { await db.close() } }
        let c = try await f.client("a@example.ro")
        _ = try await f.activeService(client: c, plan: try await f.plan(), domain: "a.ro")
        let original = try await deps.store.read { r in try await r.fiscalInvoices(clientID: c.id, limit: 1, offset: 0)
        }[0]
        let storno = try await StornoFiscalInvoice(deps)(
            fiscalInvoiceID: original.id, then: "reissue", actor: .staff(1)
        ).storno
        #expect(storno.displayNumber == "HST2026-000002")
        #expect(storno.correctsNumber == original.displayNumber)
        #expect(storno.totals.grossMinor == -12100)
        await #expect(
            throws: UseCaseError.conflict(
                rule: "fiscal.already-stornoed", message: "This invoice has already been reversed.")
        ) {
            try await StornoFiscalInvoice(deps)(fiscalInvoiceID: original.id, then: "reissue", actor: .staff(1)).storno
        }
    }

    @Test(arguments: DatabaseKind.allCases)
    func foreignCurrencyInvoicesStateVatInLeiAtTheStoredRate(kind: DatabaseKind) async throws {
        let (deps, _, f, db) = try await setup(kind)
        defer { Task { await db.close() } }
        let c = try await f.client("ro-eur@example.ro")
        let plan = try await f.plan("cloud", currency: "EUR", monthly: "10.00")
        let order = try await PlaceOrder(deps)(
            clientID: c.id, try .parse(planID: plan.id, cycle: "monthly", domain: "eur.ro"), billingProfileID: nil,
            actor: .system)
        await #expect(throws: UseCaseError.self) { try await f.pay(order.proforma) }
        _ = try await SetExchangeRate(deps)(
            try SetExchangeRate.parse(currency: "EUR", rate: "5.0893", date: "2026-01-14"), actor: .staff(1))
        let outcome = try await f.pay(order.proforma)
        #expect(outcome.fiscalInvoice?.vatRONMinor == 1069)
        #expect(outcome.fiscalInvoice?.exchangeRate?.date.description == "2026-01-14")
    }

    /// The payments listing's filters combine (AND) and its days are inclusive, on both databases.
    @Test(arguments: DatabaseKind.allCases)
    func paymentsAreFilteredByClientProformaMethodAndDay(kind: DatabaseKind) async throws {
        let (deps, _, f, db) = try await setup(kind)
        defer { Task { await db.close() } }
        let plan = try await f.plan()
        let a = try await f.client("a@example.ro")
        let b = try await f.client("b@example.ro")
        let pa = try await PlaceOrder(deps)(
            clientID: a.id, try .parse(planID: plan.id, cycle: "monthly", domain: "a.ro"), billingProfileID: nil,
            actor: .system
        ).proforma
        let pb = try await PlaceOrder(deps)(
            clientID: b.id, try .parse(planID: plan.id, cycle: "monthly", domain: "b.ro"), billingProfileID: nil,
            actor: .system
        ).proforma
        let today = deps.today()
        let one = Money(minor: 100, currency: .RON)
        for (p, method, day) in [(pa, PaymentMethod.bankTransfer, -5), (pa, .card, -1), (pb, .bankTransfer, 0)] {
            _ = try await RecordPayment(deps)(
                proformaID: p.id, .init(amount: one, method: method, receivedOn: today.adding(days: day)),
                actor: .system)
        }
        func ids(_ filter: PaymentFilter, limit: Int = 50, offset: Int = 0) async throws -> [Int64] {
            try await deps.store.read { r in try await r.payments(filter, limit: limit, offset: offset) }.map(\.id)
        }
        #expect(try await ids(PaymentFilter()) == [3, 2, 1])
        #expect(try await ids(PaymentFilter(clientID: a.id, method: .bankTransfer)) == [1])
        #expect(try await ids(PaymentFilter(proformaID: pb.id)) == [3])
        #expect(try await ids(PaymentFilter(receivedFrom: today.adding(days: -1), receivedThrough: today)) == [3, 2])
        #expect(try await ids(PaymentFilter(receivedThrough: today.adding(days: -5))) == [1])
        #expect(try await ids(PaymentFilter(), limit: 2, offset: 1) == [2, 1])
    }

    @Test(arguments: DatabaseKind.allCases)
    func badInputChangesNothing(kind: DatabaseKind) async throws {
        let (deps, _, f, db) = try await setup(kind)
        defer { Task { await db.close() } }
        do {
            let bad = try ClientRegistration.parse(
                email: "x@example.ro", password: "correct horse battery", phone: "12", language: "ro", smsOptIn: true,
                profile: BillingPartyDraft(
                    kind: "person", name: "X", street: "S", city: "C", county: "CJ", country: "RO",
                    cnp: "1630615123458"))
            _ = try await RegisterClient(deps)(bad, source: .signup)
            Issue.record("accepted")
        } catch UseCaseError.invalid(let failure) {
            #expect(Set(failure.errors.map(\.field)) == ["phone", "cnp"])
        }
        #expect(try await deps.store.read { r in try await r.searchClients(query: nil, limit: 10, offset: 0) }.isEmpty)
        let c = try await f.client("a@example.ro")
        let order = try await PlaceOrder(deps)(
            clientID: c.id, try .parse(planID: try await f.plan().id, cycle: "monthly", domain: "a.ro"),
            billingProfileID: nil, actor: .system)
        // A payment in another currency is refused and stores nothing.
        await #expect(
            throws: UseCaseError.invalid(
                ValidationFailure(
                    field: "currency", rule: "currency.mismatch", message: "The proforma is in RON, the payment in EUR."
                ))
        ) {
            try await RecordPayment(deps)(
                proformaID: order.proforma.id, .init(amount: Money(minor: 1000, currency: .EUR), method: .bankTransfer),
                actor: .staff(1))
        }
        #expect(try await deps.store.read { r in try await r.payments(proformaID: order.proforma.id) }.isEmpty)
        // A payment for a cancelled proforma is stored, as the client's credit, never as a fiscal invoice.
        _ = try await CancelProforma(deps)(proformaID: order.proforma.id, actor: .staff(1))
        let late = try await f.pay(order.proforma)
        #expect(late.fiscalInvoice == nil && late.creditMinor == order.proforma.totals.grossMinor)
        #expect(
            try await deps.store.read { r in try await r.creditBalance(clientID: c.id, currency: .RON) }
                == order.proforma.totals.grossMinor)
    }

    /// The staff audit page's filters: by client (its own and its invoices' and services' entries), action or its
    /// start, who, and an instant range; newest first, paged.
    @Test(arguments: DatabaseKind.allCases)
    func theAuditLogFiltersByClientActionActorAndTime(kind: DatabaseKind) async throws {
        let (deps, clock, f, db) = try await setup(kind)
        defer { Task { await db.close() } }
        let ana = try await f.client("ana@example.ro")
        let ion = try await f.client("ion@example.ro")
        let order = try await PlaceOrder(deps)(
            clientID: ana.id, try .parse(planID: try await f.plan().id, cycle: "monthly", domain: "ana.ro"),
            billingProfileID: nil, actor: .client(ana.id))
        let midway = clock.now()
        clock.advance(days: 1)
        _ = try await CancelProforma(deps)(proformaID: order.proforma.id, note: "duplicate", actor: .staff(1))
        let read = { (filter: AuditFilter, limit: Int, offset: Int) in
            try await deps.store.read { r in try await r.audit(filter, limit: limit, offset: offset) }
        }
        let anas = try await read(AuditFilter(clientID: ana.id), 100, 0)
        #expect(!anas.isEmpty && anas.allSatisfy { $0.entityID != ion.id || $0.entity != "client" })
        #expect(anas.map(\.id) == anas.map(\.id).sorted(by: >), "newest first")
        let proformaActions = try await read(AuditFilter(clientID: ana.id, action: "proforma."), 100, 0)
        #expect(!proformaActions.isEmpty && proformaActions.allSatisfy { $0.action.hasPrefix("proforma.") })
        let byStaff = try await read(AuditFilter(actor: Actor.staff(1).description), 100, 0)
        #expect(byStaff.count >= 1 && byStaff.allSatisfy { $0.actor == "staff:1" })
        #expect(byStaff.contains { ($0.after ?? "").contains("duplicate") || ($0.before ?? "").contains("duplicate") })
        let registered = try await read(AuditFilter(action: "client.registered"), 100, 0)
        #expect(Set(registered.map(\.entityID)) == [ana.id, ion.id])
        let later = try await read(AuditFilter(from: midway.addingTimeInterval(1)), 100, 0)
        #expect(!later.isEmpty && later.allSatisfy { $0.at > midway })
        let earlier = try await read(AuditFilter(before: midway.addingTimeInterval(1)), 100, 0)
        #expect(Set(earlier.map(\.id)).isDisjoint(with: later.map(\.id)))
        let page2 = try await read(AuditFilter(), 1, 1)
        let all = try await read(AuditFilter(), 2, 0)
        #expect(page2.map(\.id) == [all[1].id])
    }
}
