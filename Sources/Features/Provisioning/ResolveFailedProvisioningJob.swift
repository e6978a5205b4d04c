import Domain
import Foundation

/// Staff's way out of a failed provisioning job, which holds up the service's queue: run it again now, or record
/// that they did it by hand so the jobs behind it run. The change and its audit entry commit together.
public struct ResolveFailedProvisioningJob: Sendable {
    public enum Resolution: String, Sendable {
        case retry
        case doneByHand
    }

    let deps: AppDependencies
    let queue: any ProvisioningQueue

    public init(_ deps: AppDependencies, queue: any ProvisioningQueue) {
        self.deps = deps
        self.queue = queue
    }

    public func callAsFunction(jobID: Int64, _ resolution: Resolution, actor: Actor) async throws {
        let now = deps.clock.now()
        let audit = AuditEntry(
            actor: actor, action: resolution == .retry ? "provisioning.retried" : "provisioning.done-by-hand",
            entity: "provisioning_job",
            entityID: jobID, before: "failed", after: resolution == .retry ? "queued" : "done", at: now)
        let changed =
            switch resolution {
            case .retry: try await queue.requeue(jobID: jobID, at: now, audit: audit)
            case .doneByHand: try await queue.markDone(jobID: jobID, at: now, audit: audit)
            }
        guard changed else {
            throw UseCaseError.conflict(
                rule: "provisioning.not-failed",
                message: "Only a failed provisioning job can be retried or marked done.")
        }
    }
}
