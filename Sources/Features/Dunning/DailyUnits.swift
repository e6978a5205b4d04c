import Domain
import Foundation

/// One unit of a daily task (a proforma, a service) that failed; the others went on. Shown in the CLI summary,
/// the daily-run report, the audit log and on the staff home page.
public struct DailyTaskFailure: Sendable, Codable, Equatable, CustomStringConvertible {
    public let task: String
    public let entity: String
    public let entityID: Int64
    public let reason: String

    public init(task: String, entity: String, entityID: Int64, reason: String) {
        self.task = task
        self.entity = entity
        self.entityID = entityID
        self.reason = reason
    }

    public var description: String { "\(task): \(entity) \(entityID): \(reason)" }
}

/// What a daily task did: how many units it changed, and which units failed.
public struct DailyTaskResult: Sendable, Equatable {
    public var done = 0
    public var failures: [DailyTaskFailure] = []

    public init(done: Int = 0, failures: [DailyTaskFailure] = []) {
        self.done = done
        self.failures = failures
    }
}

enum DailyUnits {
    /// Runs `body` for each id in a transaction of its own. A unit that throws is rolled back, logged and reported;
    /// it never stops the units after it (one bad proforma must not stop every client's dunning).
    static func each(
        _ ids: [Int64], task: String, entity: String, deps: AppDependencies,
        _ body: @escaping @Sendable (Int64, any StoreTransaction) async throws -> Int
    ) async -> DailyTaskResult {
        var result = DailyTaskResult()
        for id in ids {
            do {
                result.done += try await deps.store.write { tx in try await body(id, tx) }
            } catch {
                result.failures.append(
                    DailyTaskFailure(task: task, entity: entity, entityID: id, reason: String(describing: error)))
                deps.logger.error(
                    "daily task failed for one unit",
                    metadata: ["task": "\(task)", "\(entity)_id": "\(id)", "error": "\(error)"])
            }
        }
        return result
    }
}
