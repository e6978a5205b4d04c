import Domain
import Foundation

/// Overdue reminders on the configured days after the effective due date; each stage once per proforma and due date.
public struct SendOverdueReminders: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    /// The event key of a reminder: one per proforma, stage and due date (an extension starts the reminders again
    /// from its day).
    static func key(proformaID: Int64, stage: Int, extendedDueDate: CivilDate?) -> String {
        extendedDueDate.map { "reminder:\(proformaID):\(stage):\($0)" } ?? "reminder:\(proformaID):\(stage)"
    }

    public func callAsFunction(asOf: CivilDate) async throws -> DailyTaskResult {
        let stages = deps.policy.reminderDays.sorted()
        guard let first = stages.first else { return DailyTaskResult() }
        // The reminders that have come and are not in the outbox yet, by stage.
        let owed: [Int: [Int64]] = try await deps.store.read { r in
            let due = try await r.unpaidDueDates(dueOnOrBefore: asOf.adding(days: -first))
            var keys: [String: (stage: Int, id: Int64)] = [:]
            for p in due {
                for stage in stages where p.effectiveDueDate.adding(days: stage) <= asOf {
                    keys[Self.key(proformaID: p.proformaID, stage: stage, extendedDueDate: p.extendedDueDate)] = (
                        stage, p.proformaID
                    )
                }
            }
            let sent = try await r.outboxKeys(among: Array(keys.keys))
            return Dictionary(grouping: keys.filter { !sent.contains($0.key) }.values, by: \.stage).mapValues {
                $0.map(\.id).sorted()
            }
        }
        var result = DailyTaskResult()
        for stage in stages {
            let part = await DailyUnits.each(owed[stage] ?? [], task: "remind", entity: "proforma", deps: deps) {
                id, tx in
                guard let p = try await tx.proforma(id: id, forUpdate: false), p.state == .unpaid,
                    p.effectiveDueDate.adding(days: stage) <= asOf
                else { return 0 }
                let key = Self.key(proformaID: id, stage: stage, extendedDueDate: p.extendedDueDate)
                try await tx.enqueue(
                    OutboxEvent(
                        kind: .overdueReminder, key: key, clientID: p.clientID,
                        payload: [
                            "proformaID": String(id), "number": p.number, "daysOverdue": String(stage),
                            "total": p.totals.gross.description,
                        ], createdAt: deps.clock.now()))
                return 1
            }
            result.done += part.done
            result.failures += part.failures
        }
        return result
    }
}
