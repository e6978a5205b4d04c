import Domain
import Features
import Foundation
import Storage

/// Model-based check of the service / proforma lifecycle: random sequences of what clients, staff and the calendar
/// do, over up to two simulated years, run against the real use cases, with a small reference model of one client
/// beside them. After every step the database must agree with the model and keep the money rules.
///
/// Each simulated day runs the real daily tasks, so a sequence costs about 7 s in a debug build and a fraction of that
/// optimised: `swift test` plays a few sequences (`LifecycleModelTests`), `make test` plays 500 per database with the
/// release-built `hostico-lifecycle-model` (Sources/LifecycleModelCheck). A failure names its seed to replay.
public enum LifecycleModelCheck {
    public struct Outcome: Sendable {
        public let seed: UInt64
        public let steps: Int
        public let days: Int
        /// What broke, with the last steps and the command that replays the seed; nil when the sequence kept the rules.
        public let failure: String?
    }

    /// The seeds of `count` sequences: the same list every run, so a number of sequences is a fixed set.
    public static func seeds(count: Int) -> [UInt64] { (0..<UInt64(count)).map { 0x9E37_79B9 &+ $0 &* 7919 } }

    /// Plays the sequences of `seeds` on fresh databases of `kind`, `parallel` at a time, and stops at the first
    /// failure (the sequences already running finish).
    public static func play(_ kind: DatabaseKind, seeds: [UInt64], parallel: Int = 3) async throws -> [Outcome] {
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            var pending = seeds[...]
            var results: [Outcome] = []
            func start(_ seed: UInt64) {
                group.addTask {
                    let run = try await ModelRun.make(kind, seed: seed)
                    do {
                        let (s, d) = try await run.play()
                        await run.db.close()
                        return Outcome(seed: seed, steps: s, days: d, failure: nil)
                    } catch {
                        await run.db.close()
                        return Outcome(
                            seed: seed, steps: 0, days: 0,
                            failure:
                                "seed \(seed) on \(kind): \(error)\nreplay: hostico-lifecycle-model --database \(kind) --seed \(seed)"
                        )
                    }
                }
            }
            for _ in 0..<max(1, parallel) { if let seed = pending.popFirst() { start(seed) } }
            while let r = try await group.next() {
                results.append(r)
                if r.failure != nil { pending = [] }
                if let seed = pending.popFirst() { start(seed) }
            }
            return results
        }
    }
}

/// A disagreement between the database and the model, or a broken rule, with the steps that led to it.
struct ModelFailure: Error, CustomStringConvertible {
    let description: String
}

/// SplitMix64: small, fast and the same everywhere, so a seed replays.
public struct SeededRandom: Sendable {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    public mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }
    public mutating func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[int(0...(items.count - 1))] }
}

/// The reference model: what the rules in the README say happens to one client's services and proformas.
struct LifecycleModel {
    enum Life: Equatable {
        case pending, live
        case terminated(CivilDate)
    }
    struct Service {
        let id: Int64
        let cycle: BillingCycle
        var anchor: CivilDate
        let priceMinor: Int64
        var life: Life = .pending
        var abuse = false
        var invoiced = 1
        var paid: Set<Int> = []
        var paidPeriods = 0
        /// Active non-payment holds: proforma id → the day placed.
        var holds: [Int64: CivilDate] = [:]
        func period(_ k: Int) -> ServicePeriod { cycle.period(anchor: anchor, index: k) }
    }
    struct Proforma {
        var id: Int64
        let origin: ProformaOrigin
        var state: ProformaState = .unpaid
        let due: CivilDate
        var extended: CivilDate?
        var lines: [(service: Int64, period: Int, net: Int64)]
        var reverseCharge = false
        var paid: Int64 = 0
        /// Its fiscal invoice was reversed by a storno.
        var stornoed = false
        /// Its lines gave their periods to another proforma (a storno that reopened the amount).
        var released = false
        var effectiveDue: CivilDate { extended ?? due }
        var net: Int64 { lines.map(\.net).reduce(0, +) }
        var gross: Int64 { LifecycleModel.gross(net: net, reverseCharge: reverseCharge) }
    }
    /// One rate, 21 %, unless the buyer reverse-charges.
    static func gross(net: Int64, reverseCharge: Bool) -> Int64 { reverseCharge ? net : net + net * 21 / 100 }

    /// A fiscal invoice that stands (no storno reversed it): the proforma it came from and the lines it bills.
    struct StandingInvoice {
        var proforma: Int64
        let lines: [(service: Int64, period: Int, net: Int64)]
        let reverseCharge: Bool
        var gross: Int64 { LifecycleModel.gross(net: lines.map(\.net).reduce(0, +), reverseCharge: reverseCharge) }
    }
    /// Renewals the model issued before the database's ids are known carry -1, -2, … in issue order.
    var nextProvisional: Int64 = -1
    var standing: [StandingInvoice] = []

    let policy = BillingPolicy()
    var services: [Int64: Service] = [:]
    var proformas: [Int64: Proforma] = [:]
    var credit: Int64 = 0
    var fiscalCount = 0
    var fiscalGross: Int64 = 0
    var paymentsIn: Int64 = 0

    // MARK: What people do

    mutating func pay(_ id: Int64, _ amount: Int64, on day: CivilDate) {
        paymentsIn += amount
        guard var p = proformas[id], p.state == .unpaid else {
            credit += amount
            return
        }
        let applied = min(amount, max(0, p.gross - p.paid))
        p.paid += applied
        credit += amount - applied
        proformas[id] = p
        if p.paid >= p.gross { complete(id, on: day) }
    }

    mutating func complete(_ id: Int64, on day: CivilDate) {
        guard var p = proformas[id] else { return }
        p.state = .paid
        proformas[id] = p
        fiscalCount += 1
        fiscalGross += p.gross
        standing.append(StandingInvoice(proforma: id, lines: p.lines, reverseCharge: p.reverseCharge))
        for line in p.lines {
            guard var s = services[line.service] else { continue }
            if case .terminated = s.life { continue }
            // An order paid after the day it was placed starts on the payment day.
            if s.life == .pending, p.origin == .order, line.period == 0, s.anchor < day { s.anchor = day }
            s.paid.insert(line.period)
            while s.paid.contains(s.paidPeriods) { s.paidPeriods += 1 }
            if s.life == .pending { s.life = .live }
            services[line.service] = s
        }
        liftHolds(of: id)
    }

    mutating func liftHolds(of proformaID: Int64) {
        for sid in services.keys { services[sid]!.holds[proformaID] = nil }
    }

    /// The periods a proforma bills, by service.
    func periods(of p: Proforma) -> [Int64: Set<Int>] {
        var result: [Int64: Set<Int>] = [:]
        for line in p.lines { result[line.service, default: []].insert(line.period) }
        return result
    }

    /// Staff may cancel a proforma when, for each live service on it, it bills that service's latest periods.
    func canCancel(_ id: Int64) -> Bool {
        guard let p = proformas[id] else { return false }
        for (sid, indexes) in periods(of: p) where services[sid]?.life == .live {
            if !Set(indexes.min()!..<services[sid]!.invoiced).isSubset(of: indexes) { return false }
        }
        return true
    }

    /// A cancelled proforma's money goes to credit and its holds go; a pending service's order is off, a live
    /// service's periods are billed again.
    mutating func cancel(_ id: Int64, on day: CivilDate) {
        guard var p = proformas[id], p.state == .unpaid else { return }
        p.state = .cancelled
        credit += p.paid
        proformas[id] = p
        liftHolds(of: id)
        for (sid, indexes) in periods(of: p) {
            switch services[sid]!.life {
            case .pending: services[sid]!.life = .terminated(day)
            case .live: services[sid]!.invoiced = min(services[sid]!.invoiced, indexes.min()!)
            case .terminated: break
            }
        }
    }

    mutating func extend(_ id: Int64, until: CivilDate) {
        proformas[id]!.extended = until
        liftHolds(of: id)
    }

    // MARK: A day of the daily tasks, in their order

    mutating func renewals(on day: CivilDate) {
        var byDue: [CivilDate: [(service: Int64, period: Int, net: Int64)]] = [:]
        for id in services.keys.sorted() {
            var s = services[id]!
            guard s.life == .live, !s.abuse else { continue }
            while s.period(s.invoiced).start.adding(days: -policy.renewalLeadDays) <= day {
                // Due on the period's first day, but never sooner than the minimum term after the day it is billed.
                let due = max(s.period(s.invoiced).start, day.adding(days: policy.minPaymentDays))
                byDue[due, default: []].append((id, s.invoiced, s.priceMinor))
                s.invoiced += 1
            }
            services[id] = s
        }
        for due in byDue.keys.sorted() {
            proformas[nextProvisional] = Proforma(id: nextProvisional, origin: .renewal, due: due, lines: byDue[due]!)
            applyCredit(to: nextProvisional, on: day)
            nextProvisional -= 1
        }
    }

    /// A fresh proforma (an order, a renewal) is paid from the client's credit as far as it goes.
    mutating func applyCredit(to id: Int64, on day: CivilDate) {
        guard credit > 0, var p = proformas[id] else { return }
        let use = min(credit, p.gross)
        p.paid += use
        credit -= use
        proformas[id] = p
        if p.paid >= p.gross { complete(id, on: day) }
    }

    /// The renewals issued with provisional ids, in issue order.
    var provisional: [Int64] { proformas.keys.filter { $0 < 0 }.sorted(by: >) }

    /// Gives the provisional renewals the database's ids (the same order: issue order).
    mutating func adopt(_ ids: [Int64]) {
        for (old, new) in zip(provisional, ids) {
            var p = proformas.removeValue(forKey: old)!
            p.id = new
            proformas[new] = p
            for k in standing.indices where standing[k].proforma == old { standing[k].proforma = new }
            for sid in services.keys {
                if let day = services[sid]!.holds.removeValue(forKey: old) { services[sid]!.holds[new] = day }
            }
        }
        nextProvisional = -1
    }

    mutating func lapseOrders(on day: CivilDate) {
        for id in proformas.keys.sorted() {
            let p = proformas[id]!
            guard p.state == .unpaid, p.origin == .order, p.effectiveDue.adding(days: policy.orderCancelDays) <= day
            else { continue }
            cancel(id, on: day)
        }
    }

    mutating func suspend(on day: CivilDate) {
        for id in proformas.keys.sorted() {
            let p = proformas[id]!
            guard p.state == .unpaid, p.effectiveDue.adding(days: policy.suspendAfterDays) <= day else { continue }
            for sid in Set(p.lines.map(\.service)).sorted()
            where services[sid]!.life == .live && services[sid]!.holds[id] == nil {
                services[sid]!.holds[id] = day
            }
        }
    }

    mutating func terminate(on day: CivilDate) {
        for sid in services.keys.sorted() {
            let s = services[sid]!
            guard s.life == .live, let oldest = s.holds.values.min(),
                oldest.adding(days: policy.terminateAfterDays) <= day
            else { continue }
            end(sid, on: day)
        }
    }

    /// A service ends on `day`: its unpaid lines leave their proformas (an emptied one is cancelled, one whose
    /// payments now cover the rest is paid).
    mutating func end(_ sid: Int64, on day: CivilDate) {
        services[sid]!.life = .terminated(day)
        services[sid]!.holds = [:]
        for pid in proformas.keys.sorted() {
            let p = proformas[pid]!
            guard p.state == .unpaid, p.lines.contains(where: { $0.service == sid }) else { continue }
            let ended = Set(
                p.lines.map(\.service).filter { other in
                    if case .terminated = services[other]!.life { return true }
                    return false
                })
            let rest = p.lines.filter { !ended.contains($0.service) }
            if rest.isEmpty {
                cancel(pid, on: day)
                continue
            }
            proformas[pid]!.lines = rest
            let q = proformas[pid]!
            if q.paid > 0, q.paid >= q.gross {
                credit += q.paid - q.gross
                proformas[pid]!.paid = q.gross
                complete(pid, on: day)
            }
        }
        // Periods paid ahead that it will not have: their invoice is reversed, its other lines invoiced again, and
        // what the reversed periods cost is credit.
        let service = services[sid]!
        var next: [StandingInvoice] = []
        for f in standing {
            let undelivered = { (line: (service: Int64, period: Int, net: Int64)) in
                line.service == sid && service.period(line.period).start > day
            }
            guard f.lines.contains(where: undelivered) else {
                next.append(f)
                continue
            }
            if proformas[f.proforma]?.stornoed == false { proformas[f.proforma]!.stornoed = true }
            let kept = StandingInvoice(
                proforma: f.proforma, lines: f.lines.filter { !undelivered($0) }, reverseCharge: f.reverseCharge)
            credit += f.gross - (kept.lines.isEmpty ? 0 : kept.gross)
            if !kept.lines.isEmpty {
                fiscalCount += 1
                next.append(kept)
            }
        }
        standing = next
    }

    // MARK: Storno of a paid proforma's fiscal invoice, and what it means

    /// Reissue: the same amount invoiced to the client's default data (a Romanian person), so only without reverse charge.
    func canReissue(_ id: Int64) -> Bool { !proformas[id]!.reverseCharge }

    mutating func reissue(_ id: Int64) {
        proformas[id]!.stornoed = true
        fiscalCount += 1
    }

    /// Reopen: refused when a service on it has ended.
    func canReopen(_ id: Int64) -> Bool {
        proformas[id]!.lines.allSatisfy { services[$0.service]!.life == .live }
    }

    /// The payment is taken back; the periods move to a new unpaid proforma (`newID`) due after the minimum term,
    /// billed to the client's default data.
    mutating func reopen(_ id: Int64, as newID: Int64, on day: CivilDate) {
        var p = proformas[id]!
        p.stornoed = true
        p.released = true
        proformas[id] = p
        standing.removeAll { $0.proforma == id }
        paymentsIn -= p.paid
        for (sid, indexes) in periods(of: p) {
            services[sid]!.paid.subtract(indexes)
            services[sid]!.paidPeriods = min(services[sid]!.paidPeriods, indexes.min()!)
        }
        proformas[newID] = Proforma(
            id: newID, origin: .renewal, due: day.adding(days: policy.minPaymentDays), lines: p.lines)
    }

    /// End: the services it billed end today, what was paid becomes credit.
    mutating func endByStorno(_ id: Int64, on day: CivilDate) {
        proformas[id]!.stornoed = true
        standing.removeAll { $0.proforma == id }
        credit += proformas[id]!.gross
        for sid in Set(proformas[id]!.lines.map(\.service)).sorted() where services[sid]!.life != .pending {
            if case .terminated = services[sid]!.life { continue }
            end(sid, on: day)
        }
    }
}

/// One sequence: a database, a clock, the use cases, the model, and the random choices of a seed.
final class ModelRun {
    let db: Database
    let clock: ManualClock
    let deps: AppDependencies
    let f: Fixtures
    let seed: UInt64
    var rng: SeededRandom
    var model = LifecycleModel()
    var client: Client!
    var planID: Int64 = 0
    var day = 0
    var lastRun = -1
    var log: [String] = []

    init(db: Database, clock: ManualClock, seed: UInt64) {
        self.db = db
        self.clock = clock
        self.deps = makeTestDependencies(database: db, clock: clock)
        self.f = Fixtures(deps)
        self.seed = seed
        self.rng = SeededRandom(state: seed)
    }

    static func make(_ kind: DatabaseKind, seed: UInt64) async throws -> ModelRun {
        let run = ModelRun(db: try await TestDatabase.open(kind), clock: ManualClock(TestDates.start), seed: seed)
        run.client = try await run.f.client("model@example.ro")
        run.planID = try await run.f.plan().id
        return run
    }

    var today: CivilDate { deps.today() }
    func civil(_ n: Int) -> CivilDate { deps.civilDate(of: TestDates.start.addingTimeInterval(Double(n) * 86_400)) }

    /// Plays steps until two simulated years have passed; returns the steps and days played.
    func play() async throws -> (Int, Int) {
        try await passDays(to: 0)
        try await order()
        var steps = 0
        while day < 730, steps < 400 {
            steps += 1
            // Every step that touches the database logs it; a step that found nothing to do leaves nothing to check.
            let logged = log.count
            try await step()
            if log.count > logged { try await check() }
        }
        return (steps, day)
    }

    func fail(_ what: String) -> ModelFailure {
        ModelFailure(description: "\(what)\nsteps:\n  " + log.suffix(40).joined(separator: "\n  "))
    }

    // MARK: Steps

    func step() async throws {
        let unpaid = model.proformas.values.filter { $0.state == .unpaid }.map(\.id).sorted()
        let live = model.services.values.filter { $0.life == .live }.map(\.id).sorted()
        switch rng.int(1...100) {
        case 1...6
        where model.services.values.filter({ if case .terminated = $0.life { false } else { true } }).count < 3:
            try await order()
        case 1...40:
            try await passDays(to: day + rng.int(1...15))
        case 41...44:
            // The worker is down for a while; the next pass catches up every missed day.
            try await passDays(to: day + rng.int(20...60))
        case 45...64:
            guard let id = rng.pick(unpaid) else { return }
            let p = model.proformas[id]!
            let open = max(0, p.gross - p.paid)
            let kind = rng.int(1...10)
            let amount: Int64 = kind <= 5 ? open : kind <= 7 ? max(1, open / 2) : kind <= 9 ? open + 1000 : open
            guard amount > 0 else { return }
            try await pay(id, amount)
            if kind == 10 { try await pay(id, amount) }  // the same transfer recorded twice
        case 65...67:
            guard let id = rng.pick(model.proformas.values.filter { $0.state == .cancelled }.map(\.id).sorted()) else {
                return
            }
            try await pay(id, 5000)
        case 68...71:
            guard let sid = rng.pick(live.filter { !model.services[$0]!.abuse }) else { return }
            _ = try await SuspendService(deps)(serviceID: sid, reason: "abuse", note: "model", actor: .staff(1))
            log.append("day \(day): abuse hold on service \(sid)")
            model.services[sid]!.abuse = true
        case 72...78:
            guard let sid = rng.pick(live.filter { model.services[$0]!.abuse }) else { return }
            _ = try await UnsuspendService(deps)(serviceID: sid, holdID: nil, reason: "abuse", actor: .staff(1))
            log.append("day \(day): abuse hold lifted on service \(sid)")
            model.services[sid]!.abuse = false
        case 79...86:
            guard let id = rng.pick(unpaid) else { return }
            let until = today.adding(days: rng.int(1...14))
            guard until > model.proformas[id]!.effectiveDue else { return }
            _ = try await ExtendPaymentDeadline(deps)(
                proformaID: id, until: until.description, note: "model", actor: .staff(1))
            log.append("day \(day): proforma \(id) extended to \(until)")
            model.extend(id, until: until)
        case 87...89:
            guard let id = rng.pick(unpaid) else { return }
            guard model.canCancel(id) else {
                do {
                    _ = try await CancelProforma(deps)(proformaID: id, actor: .staff(1))
                    throw fail("proforma \(id) was cancelled, but it does not bill the latest periods of its services")
                } catch UseCaseError.conflict(rule: "proforma.later-period-billed", _) {
                    log.append("day \(day): cancelling proforma \(id) refused (a later period is billed)")
                    return
                }
            }
            _ = try await CancelProforma(deps)(proformaID: id, actor: .staff(1))
            log.append("day \(day): proforma \(id) cancelled by staff")
            model.cancel(id, on: today)
        case 97...98:
            guard
                let id = rng.pick(
                    model.proformas.values.filter { $0.state == .paid && !$0.stornoed }.map(\.id).sorted())
            else { return }
            try await storno(id)
        case 90...96:
            guard let id = rng.pick(unpaid.filter { model.proformas[$0]!.paid == 0 }) else { return }
            let toCompany = !model.proformas[id]!.reverseCharge
            _ = try await EditProformaBillingData(deps)(
                proformaID: id, clientID: client.id,
                buyer: .data(toCompany ? Fixtures.germanCompany : Fixtures.romanianPerson, saveAsProfile: false),
                actor: .client(client.id))
            log.append("day \(day): proforma \(id) billed to \(toCompany ? "a German company" : "the person")")
            model.proformas[id]!.reverseCharge = toCompany
        default:
            try await passDays(to: day + 1)
        }
    }

    func order() async throws {
        let cycle: BillingCycle = rng.chance(80) ? .monthly : .annual
        let order = try await PlaceOrder(deps)(
            clientID: client.id,
            try .parse(planID: planID, cycle: cycle.rawValue, domain: "s\(model.services.count + 1).example.ro"),
            billingProfileID: nil, actor: .client(client.id))
        log.append("day \(day): order \(cycle.rawValue) → service \(order.service.id), \(order.proforma.number)")
        model.services[order.service.id] = .init(
            id: order.service.id, cycle: cycle, anchor: today, priceMinor: order.service.price.minor)
        model.proformas[order.proforma.id] = .init(
            id: order.proforma.id, origin: .order, due: order.proforma.dueDate,
            lines: [(order.service.id, 0, order.service.price.minor)])
        model.applyCredit(to: order.proforma.id, on: today)
    }

    /// Staff reverse a paid proforma's fiscal invoice and choose what it means.
    func storno(_ id: Int64) async throws {
        guard let fiscal = try await deps.store.read({ r in try await r.fiscalInvoice(proformaID: id) }) else {
            throw fail("paid proforma \(id) has no fiscal invoice")
        }
        let then = rng.pick(StornoFollowUp.allCases)!
        let allowed =
            switch then {
            case .reissue: model.canReissue(id)
            case .reopen: model.canReopen(id)
            case .end: true
            }
        let result: StornoFiscalInvoice.Result
        do {
            result = try await StornoFiscalInvoice(deps)(
                fiscalInvoiceID: fiscal.id, then: then.rawValue, actor: .staff(1))
        } catch UseCaseError.conflict(let rule, _) where !allowed {
            log.append("day \(day): storno \(then.rawValue) of \(fiscal.displayNumber) refused (\(rule))")
            return
        }
        guard allowed else {
            throw fail("storno \(then.rawValue) of \(fiscal.displayNumber) went through; the model refuses it")
        }
        log.append("day \(day): storno \(then.rawValue) of \(fiscal.displayNumber) (proforma \(id))")
        switch then {
        case .reissue: model.reissue(id)
        case .reopen: model.reopen(id, as: result.reopened!.id, on: today)
        case .end: model.endByStorno(id, on: today)
        }
    }

    func pay(_ id: Int64, _ amount: Int64) async throws {
        _ = try await RecordPayment(deps)(
            proformaID: id, .init(amount: Money(minor: amount, currency: .RON), method: .bankTransfer), actor: .staff(1)
        )
        log.append("day \(day): paid \(Money.format(minor: amount)) on proforma \(id)")
        model.pay(id, amount, on: today)
    }

    /// Moves the clock to day `target` and lets the worker catch up; the model runs each day the same way.
    func passDays(to target: Int) async throws {
        clock.set(TestDates.start.addingTimeInterval(Double(target) * 86_400))
        day = target
        let known = Set(model.proformas.keys)
        let summaries = try await DailyBillingTasks(deps).catchUp(through: today)
        log.append("day \(target): daily tasks for \(summaries.count) days")
        if let failed = summaries.first(where: { !$0.failures.isEmpty }) {
            throw fail("a daily task failed: \(failed)")
        }
        let ran = summaries.map(\.run.asOf)
        let expectedDays = ((lastRun + 1)...target).map(civil)
        guard ran == expectedDays else { throw fail("catch-up ran \(ran), expected \(expectedDays)") }
        for d in expectedDays {
            model.renewals(on: d)
            model.lapseOrders(on: d)
            model.suspend(on: d)
            model.terminate(on: d)
        }
        lastRun = target
        // The renewals the model issued are the new proformas, in issue order.
        let all = try await deps.store.read { [id = client.id] r in
            try await r.proformas(clientID: id, state: nil, limit: 1000, offset: 0)
        }
        let fresh = all.filter { !known.contains($0.id) && $0.origin == .renewal }.sorted { $0.id < $1.id }
        let provisional = model.provisional
        guard fresh.count == provisional.count else {
            throw fail(
                "\(fresh.count) renewals issued \(fresh.map { "\($0.number) due \($0.dueDate)" }), the model expected \(provisional.count) due \(provisional.map { model.proformas[$0]!.due })"
            )
        }
        for (p, id) in zip(fresh, provisional) where p.dueDate != model.proformas[id]!.due {
            throw fail("renewal \(p.number) due \(p.dueDate), the model expected \(model.proformas[id]!.due)")
        }
        model.adopt(fresh.map(\.id))
    }

    // MARK: Checks after every step

    func check() async throws {
        let (services, proformas, fiscal, credit) = try await deps.store.read { [id = client.id] r in
            (
                try await r.services(clientID: id, forUpdate: false),
                try await r.proformas(clientID: id, state: nil, limit: 1000, offset: 0),
                try await r.fiscalInvoices(clientID: id, limit: 1000, offset: 0),
                try await r.creditBalance(clientID: id, currency: .RON)
            )
        }
        let asOf = civil(lastRun)
        // The database agrees with the model.
        for s in services {
            guard let m = model.services[s.id] else { throw fail("service \(s.id) is not in the model") }
            var state: String
            switch m.life {
            case .pending: state = "pending"
            case .live: state = m.holds.isEmpty && !m.abuse ? "active" : "suspended"
            case .terminated(let d): state = "terminated \(d)"
            }
            var actual = s.state.rawValue
            if case .terminated(let on) = s.lifecycle { actual += " \(deps.civilDate(of: on))" }
            guard actual == state else { throw fail("service \(s.id) is \(actual), the model says \(state)") }
            guard s.paidPeriods == m.paidPeriods, s.invoicedPeriods == m.invoiced else {
                throw fail(
                    "service \(s.id) paid \(s.paidPeriods) invoiced \(s.invoicedPeriods), the model says paid \(m.paidPeriods) invoiced \(m.invoiced)"
                )
            }
            let holds = Dictionary(
                s.holds.filter { $0.reason == .nonPayment }.map { ($0.proformaID!, deps.civilDate(of: $0.placedAt)) },
                uniquingKeysWith: { a, _ in a })
            guard holds == m.holds else { throw fail("service \(s.id) holds \(holds), the model says \(m.holds)") }
        }
        for p in proformas {
            guard let m = model.proformas[p.id] else { throw fail("proforma \(p.number) is not in the model") }
            let lines = p.lines.map { "\($0.serviceID!)/\($0.period!.index)" }.sorted()
            let expected = m.lines.map { "\($0.service)/\($0.period)" }.sorted()
            guard p.state == m.state, p.paidMinor == m.paid, p.totals.grossMinor == m.gross,
                p.effectiveDueDate == m.effectiveDue, lines == expected
            else {
                throw fail(
                    "proforma \(p.number): \(p.state) paid \(p.paidMinor) of \(p.totals.grossMinor) due \(p.effectiveDueDate) lines \(lines); the model says \(m.state) paid \(m.paid) of \(m.gross) due \(m.effectiveDue) lines \(expected)"
                )
            }
        }
        guard proformas.count == model.proformas.count else {
            throw fail("\(proformas.count) proformas, the model has \(model.proformas.count)")
        }
        guard credit == model.credit else { throw fail("credit \(credit), the model says \(model.credit)") }
        let invoices = fiscal.filter { $0.kind == .invoice }
        guard invoices.count == model.fiscalCount else {
            throw fail("\(invoices.count) fiscal invoices, the model says \(model.fiscalCount)")
        }

        // Exactly one line per service period: periods 0..<invoiced, each on one proforma.
        for s in services {
            // A cancelled proforma's lines no longer hold their periods, nor do those of a reopened one.
            let periods = proformas.filter { $0.state != .cancelled && model.proformas[$0.id]?.released != true }
                .flatMap(\.lines).filter { $0.serviceID == s.id }.compactMap(\.period?.index).sorted()
            let unpaidElsewhere = Set(periods)
            guard periods.count == unpaidElsewhere.count else {
                throw fail("service \(s.id) has a period on two lines: \(periods)")
            }
            if case .terminated = s.lifecycle { continue }
            guard periods == Array(0..<s.invoicedPeriods) else {
                throw fail("service \(s.id) has lines for periods \(periods), invoiced \(s.invoicedPeriods)")
            }
        }
        // No fiscal invoice (that stands: no storno reversed it) for a period after the service ended.
        let reversed = Set(fiscal.compactMap(\.correctsID))
        for s in services {
            guard case .terminated(let on) = s.lifecycle else { continue }
            let end = deps.civilDate(of: on)
            for f in invoices where !reversed.contains(f.id) {
                for line in f.lines where line.serviceID == s.id {
                    if let p = line.period, p.start > end {
                        throw fail(
                            "\(f.displayNumber) invoices period \(p.start) of service \(s.id), terminated \(end)")
                    }
                }
            }
        }
        // Every unpaid overdue proforma of a live service has its hold, and no other non-payment hold is active.
        for s in services where s.state == .active || s.state == .suspended {
            let due = Set(
                proformas.filter { p in
                    p.state == .unpaid && p.effectiveDueDate.adding(days: deps.policy.suspendAfterDays) <= asOf
                        && p.lines.contains { $0.serviceID == s.id }
                }.map(\.id))
            let held = Set(s.holds.filter { $0.reason == .nonPayment }.compactMap(\.proformaID))
            guard held == due else {
                throw fail("service \(s.id) is held for \(held.sorted()), overdue \(due.sorted())")
            }
        }
        // Fiscal numbers are gapless per series.
        for (series, items) in Dictionary(grouping: fiscal, by: \.series) {
            guard items.map(\.number).sorted() == Array(1...Int64(items.count)) else {
                throw fail("series \(series) has gaps: \(items.map(\.number).sorted())")
            }
        }
        // Money is conserved: every payment ends in a fiscal invoice or in credit, or waits on an unpaid proforma.
        let invoiced = fiscal.map(\.totals.grossMinor).reduce(0, +)  // stornos count negative
        let waiting = proformas.filter { $0.state == .unpaid }.map(\.paidMinor).reduce(0, +)
        guard model.paymentsIn == invoiced + credit + waiting else {
            throw fail(
                "payments \(model.paymentsIn) ≠ fiscal \(invoiced) + credit \(credit) + on unpaid proformas \(waiting)")
        }
    }
}
