import Domain
import Features
import Foundation
import SQLKit
import Storage
import TestSupport
import Testing

/// Orders of several plans, cancelling at the end of the paid period (and withdrawing it), staff termination and the
/// credit that pays the next proforma, on both databases. The world is `LifecycleWorld`'s: 100.00 RON monthly from
/// 2026-01-15, renewal of period 1 issued on day 17 (02-01), of period 2 on day 45 (03-01), of period 3 on day 76.
@Suite("Self-service: orders, cancellation, credit", .serialized)
struct SelfServiceTests {
    static let kinds: [DatabaseKind] = [.sqlite, .postgres]

    @Test(arguments: kinds)
    func anOrderOfSeveralPlansIsOneOrderProformaPricedAsQuoted(kind: DatabaseKind) async throws {
        let w = try await LifecycleWorld.make(kind)
        let start = try await w.deps.store.read { r in try await r.plan(id: w.service.planID)! }
        let pro = try await w.f.plan("pro", monthly: "50.00")
        let items: [PlaceOrder.Item] = [
            try .parse(planID: start.id, cycle: "monthly", domain: "one.ro"),
            try .parse(planID: pro.id, cycle: "annual", domain: "two.ro"),
        ]
        let quote = try await PlaceOrder(w.deps).quote(clientID: w.client.id, items, billingProfileID: nil)
        // 100.00 + 1000.00 net, 21 % VAT.
        #expect(quote.totals.gross.description == "1331.00 RON")
        #expect(
            quote.lines.map(\.description) == [
                "Start – one.ro (2026-01-15 – 2026-02-14)", "Pro – two.ro (2026-01-15 – 2027-01-14)",
            ])
        let before = try await w.proformas().count
        #expect(try await w.proformas().count == before, "a quote writes nothing")

        let placed = try await PlaceOrder(w.deps)(
            clientID: w.client.id, items, billingProfileID: nil, actor: .client(w.client.id))
        #expect(placed.services.map(\.state) == [.pending, .pending])
        #expect(placed.proforma.origin == .order && placed.proforma.lines.count == 2)
        #expect(placed.proforma.totals == quote.totals)
        // The client placed it: an e-mail, never an SMS.
        let issued = try #require(try await w.events("proforma.issued").last)
        #expect(issued.payload["origin"] == "order")
        #expect(NotificationRules.channels(for: .proformaIssued, payload: issued.payload) == [.email])

        // Paying it activates both services and gives one fiscal invoice.
        let outcome = try await w.f.pay(placed.proforma)
        #expect(outcome.fiscalInvoice?.lines.count == 2)
        for s in placed.services {
            #expect(
                try await w.deps.store.read { r in try await r.service(id: s.id, forUpdate: false) }?.state == .active)
        }
        await w.db.close()
    }

    @Test(arguments: kinds)
    func anOrderIsRefusedFieldByFieldForPlansNotOnSaleOrInTwoCurrencies(kind: DatabaseKind) async throws {
        let w = try await LifecycleWorld.make(kind)
        let euro = try await w.f.plan("euro", currency: "EUR", monthly: "10.00")
        let start = w.service.planID
        func rules(_ items: [PlaceOrder.Item]) async -> [String] {
            do {
                _ = try await PlaceOrder(w.deps)(
                    clientID: w.client.id, items, billingProfileID: nil, actor: .client(w.client.id))
                return []
            } catch UseCaseError.invalid(let failure) {
                return failure.errors.map { "\($0.field) \($0.rule)" }
            } catch {
                return ["\(error)"]
            }
        }
        let count = try await w.proformas().count
        #expect(
            await rules([
                try .parse(planID: start, cycle: "monthly", domain: "a.ro"),
                try .parse(planID: euro.id, cycle: "monthly", domain: "b.ro"),
            ]) == ["items order.one-currency"])
        #expect(await rules([]) == ["items order.empty"])
        _ = try await RetireHostingPlan(w.deps)(planID: euro.id, retired: true, actor: .staff(1))
        #expect(
            await rules([try .parse(planID: euro.id, cycle: "monthly", domain: "b.ro")]) == ["planId plan.not-sold"])
        #expect(
            await rules([
                try .parse(planID: start, cycle: "monthly", domain: "a.ro"),
                try .parse(planID: start, cycle: "quarterly", domain: "b.ro"),
            ]) == ["items[1].cycle cycle.not-offered"])
        #expect(try await w.proformas().count == count, "a refused order writes nothing")
        // Back on sale, it sells.
        _ = try await RetireHostingPlan(w.deps)(planID: euro.id, retired: false, actor: .staff(1))
        #expect(await rules([try .parse(planID: euro.id, cycle: "monthly", domain: "b.ro")]) == [])
        await w.db.close()
    }

    @Test(arguments: kinds)
    func aServiceCancelledAtPeriodEndIsNotRenewedAndEndsTheDayAfterItsLastDay(kind: DatabaseKind) async throws {
        let w = try await LifecycleWorld.make(kind)
        try await w.day(17)
        let renewal = try #require(try await w.proformas(.unpaid).first)
        #expect(renewal.origin == .renewal)

        let cancelled = try await CancelService(w.deps).atPeriodEnd(
            serviceID: w.service.id, ownedBy: w.client.id, actor: .client(w.client.id))
        #expect(cancelled.endsOn?.description == "2026-02-14")
        // The open renewal for the later period is cancelled; the client is told the last day.
        #expect(try await w.proformas().first { $0.id == renewal.id }?.state == .cancelled)
        let told = try #require(try await w.events("service.cancellation_requested").first)
        #expect(told.payload["endsOn"] == "2026-02-14" && told.payload["removed"] == renewal.number)
        // Asking again changes nothing; another client's service is not found.
        #expect(
            try await CancelService(w.deps).atPeriodEnd(serviceID: w.service.id, ownedBy: w.client.id, actor: .system)
                .endsOn == cancelled.endsOn)
        await #expect(throws: UseCaseError.self) {
            _ = try await CancelService(w.deps).atPeriodEnd(serviceID: w.service.id, ownedBy: 999, actor: .system)
        }

        for day in 18...30 { try await w.day(day) }
        #expect(try await w.proformas(.unpaid).isEmpty, "no renewal after the request")
        #expect(try await w.svc().state == .active, "it works until its last day")
        let ended = try await w.day(31)  // 2026-02-15
        #expect(ended.terminated == 1)
        #expect(try await w.svc().state == .terminated)
        let terminated = try #require(try await w.events("service.terminated").first)
        #expect(terminated.payload["ending"] == "cancelled")
        for day in 32...50 { try await w.day(day) }
        #expect(try await w.proformas(.unpaid).isEmpty)
        await w.db.close()
    }

    @Test(arguments: kinds)
    func aWithdrawnCancellationRenewsAgainAndTheCatchUpSeesTheLastDay(kind: DatabaseKind) async throws {
        let w = try await LifecycleWorld.make(kind)
        try await w.day(17)
        _ = try await CancelService(w.deps).atPeriodEnd(
            serviceID: w.service.id, ownedBy: w.client.id, actor: .client(w.client.id))
        // The daily catch-up knows a cancelled service ends the day after its last day.
        #expect(try await DailyBillingTasks(w.deps).nextDayWithWork(after: w.deps.today())?.description == "2026-02-15")
        let kept = try await CancelService(w.deps).withdraw(
            serviceID: w.service.id, ownedBy: w.client.id, actor: .client(w.client.id))
        #expect(kept.endsOn == nil)
        try await w.day(18)
        let renewal = try #require(try await w.proformas(.unpaid).first)
        #expect(renewal.lines.first?.period?.index == 1)
        await w.db.close()
    }

    @Test(arguments: kinds)
    func staffTerminateAtOnceAndPeriodsPaidAheadBecomeCredit(kind: DatabaseKind) async throws {
        let w = try await LifecycleWorld.make(kind)
        try await w.day(17)
        let renewal = try #require(try await w.proformas(.unpaid).first)
        _ = try await w.f.pay(renewal)  // period 1 (02-15 – 03-14) paid ahead
        await #expect(throws: UseCaseError.self) {
            _ = try await CancelService(w.deps).terminateNow(serviceID: w.service.id, reason: " ", actor: .staff(1))
        }
        let ended = try await CancelService(w.deps).terminateNow(
            serviceID: w.service.id, reason: "abuse: phishing site", actor: .staff(1))
        #expect(ended.state == .terminated)
        #expect(try await w.credit() == renewal.totals.grossMinor, "the undelivered period is credit")
        #expect(try await w.events("service.terminated").first?.payload["ending"] == "staff")
        await w.db.close()
    }

    @Test(arguments: kinds)
    func creditPaysTheNextProformaInFullThenInPart(kind: DatabaseKind) async throws {
        let w = try await LifecycleWorld.make(kind)
        try await w.day(17)
        let first = try #require(try await w.proformas(.unpaid).first)
        // 121.00 due; 271.00 paid: 150.00 is credit.
        _ = try await w.f.pay(first, amount: "271.00")
        #expect(try await w.credit() == 150_00)

        try await w.day(45)  // period 2's renewal: 121.00, all from credit
        let second = try #require(try await w.proformas().last)
        #expect(second.id != first.id && second.state == .paid)
        let payments = try await w.deps.store.read { r in try await r.payments(proformaID: second.id) }
        #expect(payments.map(\.method) == [.credit] && payments.map(\.amount.minor) == [121_00])
        #expect(try await w.credit() == 29_00)
        #expect(try await w.fiscalInvoices().contains { $0.proformaNumber == second.number })
        // Paid as it was issued: no "please pay" message, the payment confirmation instead.
        #expect(try await w.events("proforma.issued").allSatisfy { $0.payload["proformaID"] != String(second.id) })
        #expect(try await w.events("payment.confirmed").contains { $0.payload["proformaNumber"] == second.number })
        #expect(try await w.svc().nextDueDate.description == "2026-04-15")

        try await w.day(76)  // period 3: 29.00 from credit, 92.00 left to pay
        let third = try #require(try await w.proformas(.unpaid).first)
        #expect(third.paidMinor == 29_00 && third.openMinor == 92_00)
        #expect(try await w.credit() == 0)
        let issued = try #require(
            try await w.events("proforma.issued").first { $0.payload["proformaID"] == String(third.id) })
        #expect(issued.payload["creditApplied"] == "29.00 RON" && issued.payload["leftToPay"] == "92.00 RON")

        // The ledger: every movement, newest first, summing to the balance.
        let ledger = try await PaymentQueries(w.deps).credit(clientID: w.client.id)
        #expect(ledger.entries.map(\.amount.minor) == [-29_00, -121_00, 150_00])
        #expect(ledger.entries.first?.note == "Applied to \(third.number)")
        #expect(ledger.balances.isEmpty)
        // `credit` is never a method a person records.
        #expect(throws: UseCaseError.self) {
            _ = try RecordPayment.Input.parse(
                amount: "1.00", currency: "RON", method: "credit", receivedOn: nil, reference: nil,
                idempotencyKey: nil, today: w.deps.today())
        }
        await w.db.close()
    }

    @Test(arguments: kinds)
    func anUpgradeBillsTheRestOfThePeriodAtOnceAndIsDunnedNotLapsed(kind: DatabaseKind) async throws {
        let w = try await LifecycleWorld.make(kind)
        let pro = try await w.f.plan("pro", monthly: "162.00")
        w.clock.set(TestDates.start.addingTimeInterval(10 * 86_400))  // 2026-01-25, in 01-15 – 02-14 (31 days)
        let quote = try await ChangePlan(w.deps).quote(serviceID: w.service.id, ownedBy: w.client.id, planID: pro.id)
        // 62.00 × 21 days left of 31 = 42.00.
        guard case .now(let charge, _) = quote.effect else {
            Issue.record("\(quote.effect)")
            return
        }
        #expect(charge.description == "42.00 RON")
        let outcome = try await ChangePlan(w.deps)(
            serviceID: w.service.id, ownedBy: w.client.id, planID: pro.id, actor: .client(w.client.id))
        let proforma = try #require(outcome.proforma)
        #expect(outcome.service.planID == pro.id && outcome.service.price.minor == 162_00)
        #expect(proforma.origin == .order && proforma.totals.net.minor == 42_00)
        #expect(
            proforma.lines.first?.description == "Upgrade Start → Pro – ana.ro (2026-01-25 – 2026-02-14, 21 of 31 days)"
        )
        // Paying it changes nothing about the periods; the renewal bills the new price.
        _ = try await w.f.pay(proforma)
        #expect(try await w.svc().nextDueDate.description == "2026-02-15")
        try await w.day(17)
        let renewal = try #require(try await w.proformas(.unpaid).first)
        #expect(renewal.lines.map(\.unitPriceMinor) == [162_00])
        // While it is unpaid, the plan cannot change again.
        await #expect(throws: UseCaseError.self) {
            _ = try await ChangePlan(w.deps)(
                serviceID: w.service.id, ownedBy: w.client.id, planID: w.service.planID, actor: .system)
        }
        await w.db.close()
    }

    @Test(arguments: kinds)
    func anUnpaidUpgradeSuspendsTheServiceInsteadOfLapsing(kind: DatabaseKind) async throws {
        let w = try await LifecycleWorld.make(kind, policy: BillingPolicy(orderCancelDays: 3))
        let pro = try await w.f.plan("pro", monthly: "200.00")
        let outcome = try await ChangePlan(w.deps)(
            serviceID: w.service.id, ownedBy: w.client.id, planID: pro.id, actor: .client(w.client.id))
        let proforma = try #require(outcome.proforma)
        // Due in 7 days; the order lapse (3 days after) does not drop it, suspension (5 days after) holds the service.
        for day in 1...12 { try await w.day(day) }
        #expect(try await w.proformas().first { $0.id == proforma.id }?.state == .unpaid)
        #expect(try await w.svc().holds.contains { $0.reason == .nonPayment && $0.proformaID == proforma.id })
        await w.db.close()
    }

    @Test(arguments: kinds)
    func aDowngradeWaitsForTheNextRenewalAndCanBeTakenBack(kind: DatabaseKind) async throws {
        let w = try await LifecycleWorld.make(kind)
        let lite = try await w.f.plan("lite", monthly: "40.00")
        let outcome = try await ChangePlan(w.deps)(
            serviceID: w.service.id, ownedBy: w.client.id, planID: lite.id, actor: .client(w.client.id))
        #expect(outcome.proforma == nil && outcome.effect == .atRenewal(from: CivilDate("2026-02-15")!))
        #expect(outcome.service.planID == w.service.planID && outcome.service.scheduledChange?.planID == lite.id)
        // Taken back, then chosen again.
        _ = try await ChangePlan(w.deps)(
            serviceID: w.service.id, ownedBy: w.client.id, planID: w.service.planID, actor: .client(w.client.id))
        #expect(try await w.svc().scheduledChange == nil)
        _ = try await ChangePlan(w.deps)(
            serviceID: w.service.id, ownedBy: w.client.id, planID: lite.id, actor: .client(w.client.id))
        try await w.day(17)
        let renewal = try #require(try await w.proformas(.unpaid).first)
        #expect(renewal.lines.map(\.unitPriceMinor) == [40_00])
        #expect(renewal.lines.first?.description.hasPrefix("Lite – ana.ro") == true)
        let s = try await w.svc()
        #expect(s.planID == lite.id && s.price.minor == 40_00 && s.scheduledChange == nil)
        // A plan in another currency or without the service's cycle is refused by field.
        let euro = try await w.f.plan("euro", currency: "EUR", monthly: "10.00")
        do {
            _ = try await ChangePlan(w.deps).quote(serviceID: w.service.id, ownedBy: w.client.id, planID: euro.id)
            Issue.record("a plan in EUR for a RON service")
        } catch UseCaseError.invalid(let failure) {
            #expect(failure.errors.map(\.rule) == ["plan-change.same-terms"])
        }
        await w.db.close()
    }

    @Test(arguments: kinds)
    func euroCreditWaitsForABNRRateBeforePayingAProformaInFull(kind: DatabaseKind) async throws {
        let w = try await LifecycleWorld.make(kind)
        let euro = try await w.f.plan("euro", currency: "EUR", monthly: "10.00")
        func order(_ domain: String) async throws -> ProformaInvoice {
            try await PlaceOrder(w.deps)(
                clientID: w.client.id, try .parse(planID: euro.id, cycle: "monthly", domain: domain),
                billingProfileID: nil, actor: .client(w.client.id)
            ).proforma
        }
        // 50.00 EUR of credit: a transfer for an order the staff had cancelled.
        let first = try await order("one.ro")
        _ = try await CancelProforma(w.deps)(proformaID: first.id, actor: .staff(1))
        _ = try await w.f.pay(first, amount: "50.00")
        let eur = {
            try await w.deps.store.read { [id = w.client.id] r in
                try await r.creditBalance(clientID: id, currency: .EUR)
            }
        }
        #expect(try await eur() == 50_00)
        // No BNR rate yet: the fiscal invoice could not be issued, so the order waits for a payment as usual.
        let second = try await order("two.ro")
        #expect(second.state == .unpaid && second.paidMinor == 0)
        #expect(try await eur() == 50_00)
        _ = try await SetExchangeRate(w.deps)(
            ExchangeRate(currency: .EUR, ronPerUnitE4: 50_893, date: w.deps.today()), actor: .staff(1))
        let third = try await order("three.ro")
        #expect(third.state == .paid)
        #expect(try await eur() == 50_00 - third.totals.grossMinor)
        await w.db.close()
    }
}
