import Domain
import Foundation

/// The daily billing duties of one day, in order: renewals, lapsed orders, reminders, suspensions, terminations
/// (held too long, or cancelled by the client and past their last day).
/// Each unit (a client's renewals, a proforma, a service) commits on its own; failures are collected, audited and
/// recorded with the day, and never stop the rest.
public struct DailyBillingTasks: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public struct Summary: Sendable, CustomStringConvertible {
        public let run: BillingRunReport
        public let lapsedOrders: Int
        public let reminders: Int
        public let suspended: Int
        public let terminated: Int
        public let failures: [DailyTaskFailure]
        /// No task had work on the day, so none ran (`catchUp`).
        public private(set) var quiet = false

        init(
            run: BillingRunReport, lapsedOrders: Int, reminders: Int, suspended: Int, terminated: Int,
            failures: [DailyTaskFailure]
        ) {
            self.run = run
            self.lapsedOrders = lapsedOrders
            self.reminders = reminders
            self.suspended = suspended
            self.terminated = terminated
            self.failures = failures
        }

        init(quiet day: CivilDate) {
            self.init(
                run: BillingRunReport(asOf: day), lapsedOrders: 0, reminders: 0, suspended: 0, terminated: 0,
                failures: [])
            quiet = true
        }

        public var description: String {
            if quiet { return "as of \(run.asOf): nothing due (no task had work)" }
            var text =
                "as of \(run.asOf): \(run.servicesConsidered) services considered, \(run.proformasIssued) renewal proformas issued (\(run.periodsInvoiced) periods), \(run.skippedAlreadyIssued) already issued; \(lapsedOrders) lapsed orders cancelled, \(reminders) reminders queued, \(suspended) services suspended, \(terminated) terminated; \(failures.count) failures"
            for f in failures { text += "\n  failed: \(f)" }
            return text
        }
    }

    public func callAsFunction(asOf: CivilDate) async throws -> Summary {
        try await run(asOf: asOf, recordingQuietDays: [])
    }

    /// The day's tasks; `quiet` days found before it are recorded in the same transaction as its report.
    func run(asOf: CivilDate, recordingQuietDays quiet: [DailyRunReport]) async throws -> Summary {
        let started = deps.clock.now()
        let run = try await RunBilling(deps).issueRenewals(asOf: asOf)
        let billed = deps.clock.now()
        let lapsed = try await CancelLapsedOrders(deps)(asOf: asOf)
        let reminders = try await SendOverdueReminders(deps)(asOf: asOf)
        let suspended = try await SuspendOverdueServices(deps)(asOf: asOf)
        let terminated = try await TerminateSuspendedServices(deps)(asOf: asOf)
        let ended = try await EndCancelledServices(deps)(asOf: asOf)
        let failures =
            run.failures.map {
                DailyTaskFailure(task: "renew", entity: "client", entityID: $0.clientID, reason: $0.reason)
            }
            + lapsed.failures + reminders.failures + suspended.failures + terminated.failures + ended.failures
        let report = DailyRunReport(asOf: asOf, startedAt: started, finishedAt: deps.clock.now(), failures: failures)
        try await deps.store.write { tx in
            try await tx.record(quietDays: quiet)
            try await tx.insert(report: run, startedAt: started, finishedAt: billed)
            try await tx.record(dailyRun: report)
            try await tx.append(
                failures.map { f in
                    AuditEntry(
                        actor: .system, action: "daily_task.failed", entity: f.entity, entityID: f.entityID,
                        before: nil, after: auditJSON(["task": f.task, "day": asOf.description, "reason": f.reason]),
                        at: report.finishedAt)
                })
        }
        return Summary(
            run: run, lapsedOrders: lapsed.done, reminders: reminders.done, suspended: suspended.done,
            terminated: terminated.done + ended.done, failures: failures)
    }

    /// Runs every day from the one after the last recorded run through `today`, in order, so days the worker missed
    /// (an outage, a deploy) end as they would have on time. The first run ever, or a gap longer than `maxDays`,
    /// starts at `today` (or `maxDays` back).
    ///
    /// After a day that ended without failures, the days before the next one on which some task has work
    /// (`nextDayWithWork`) are recorded as quiet without running the tasks: a catch-up costs the days with work,
    /// not the days missed. Today always runs.
    public func catchUp(through today: CivilDate, maxDays: Int = 366) async throws -> [Summary] {
        let last = try await deps.store.read { r in try await r.lastDailyRun() }
        var day = today
        if let last, last < today { day = max(last.adding(days: 1), today.adding(days: 1 - maxDays)) }
        var summaries: [Summary] = []
        // Quiet days are recorded with the next day's report (a crash before it only means they are looked at
        // again); today is always that next day at the latest.
        var quiet: [DailyRunReport] = []
        while day <= today {
            let summary = try await run(asOf: day, recordingQuietDays: quiet)
            quiet = []
            summaries.append(summary)
            day = day.adding(days: 1)
            guard summary.failures.isEmpty, day <= today else { continue }
            // Today always runs in full: what clients and staff did today may have work for it.
            let next = min(try await nextDayWithWork(after: day.adding(days: -1)) ?? today, today)
            let now = deps.clock.now()
            while day < next {
                quiet.append(DailyRunReport(asOf: day, startedAt: now, finishedAt: now, failures: []))
                summaries.append(Summary(quiet: day))
                day = day.adding(days: 1)
            }
        }
        return summaries
    }

    /// The first day after `day` on which a daily task has work, given that every task did all its work for `day`.
    /// Between runs only the tasks change the data, so work appears on the day a date crosses its threshold: a
    /// service's next invoice date less the renewal lead, an unpaid proforma's effective due date plus a reminder
    /// stage, the grace before suspension or (for an order) the days before it lapses, and a non-payment hold's
    /// day plus the days before termination. Nil when nothing is ahead.
    public func nextDayWithWork(after day: CivilDate) async throws -> CivilDate? {
        let policy = deps.policy
        let dueOffsets = policy.reminderDays + [policy.suspendAfterDays]
        let longest = max(dueOffsets.max() ?? 0, policy.orderCancelDays)
        let ahead = try await deps.store.read { [deps] r in
            try await r.dailyWorkAhead(
                invoiceAfter: day.adding(days: policy.renewalLeadDays), dueAfter: day.adding(days: -longest),
                holdsFrom: deps.startOfDay(day.adding(days: 1 - policy.terminateAfterDays)), endingFrom: day)
        }
        var days: [CivilDate] = []
        // A cancelled service ends the day after its last day.
        if let end = ahead.nextEnd { days.append(end.adding(days: 1)) }
        if let invoice = ahead.nextInvoiceDate { days.append(invoice.adding(days: -policy.renewalLeadDays)) }
        for due in ahead.unpaidDue {
            days += dueOffsets.map { due.date.adding(days: $0) }
            if due.origin == .order { days.append(due.date.adding(days: policy.orderCancelDays)) }
        }
        if let hold = ahead.earliestHold {
            days.append(deps.civilDate(of: hold).adding(days: policy.terminateAfterDays))
        }
        return days.filter { $0 > day }.min()
    }
}
