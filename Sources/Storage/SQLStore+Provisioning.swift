import Domain
import Features
import Foundation
import SQLKit

extension SQLTransaction {
    // MARK: Provisioning jobs

    func enqueue(provisioning j: NewProvisioningJob) async throws {
        let at = millis(j.createdAt)
        try await sql.insert(into: "provisioning_jobs").columns(
            "service_id", "action", "job_key", "payload_json", "status", "attempts", "next_attempt_at", "created_at",
            "updated_at"
        )
        .values(
            [j.serviceID, j.action.rawValue, j.key, try json(j.payload), "queued", Int64(0), at, at, at]
                as [any Encodable & Sendable]
        )
        .ignoringConflicts(with: "job_key").run()
    }

    func provisioner(serviceID: Int64) async throws -> String? {
        try await row(
            "SELECT p.provisioner FROM services s JOIN plans p ON p.id = s.plan_id WHERE s.id = \(bind: serviceID)")?
            .stringOrNil("provisioner")
    }

    func provisioningJobs(serviceID: Int64) async throws -> [ProvisioningJob] {
        try await rows("SELECT * FROM provisioning_jobs WHERE service_id = \(bind: serviceID) ORDER BY id").map(
            decodeProvisioningJob)
    }
}
