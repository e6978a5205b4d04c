import Domain
import Foundation

/// Provisioning jobs caused by billing changes, written in the same transaction as the change (so none is lost
/// and none exists for a change that rolled back). Only plans with a provisioner get jobs.
enum ProvisioningRequests {
    /// `key` names the cause (a hold, a set of lifted holds…) so the same cause never makes a second job.
    static func request(
        _ action: ProvisioningAction, for service: HostingService, holds: [Hold], key: String,
        in tx: any StoreTransaction, at now: Date
    ) async throws {
        guard try await tx.provisioner(serviceID: service.id) != nil else { return }
        var payload = [
            "serviceID": String(service.id), "clientID": String(service.clientID), "planID": String(service.planID),
            "domain": service.domain,
        ]
        if action == .suspend, let reason = HoldReason.shown(among: holds) {
            payload["reason"] = reason.rawValue
            if reason == .nonPayment, let p = holds.compactMap(\.proformaID).max() { payload["proformaID"] = String(p) }
        }
        try await tx.enqueue(
            provisioning: NewProvisioningJob(
                serviceID: service.id, action: action, key: "service:\(service.id):\(action.rawValue):\(key)",
                payload: payload, createdAt: now))
    }

    /// After holds were lifted: back online when none is left, else the suspended page with the reason that remains.
    static func afterLifting(_ lifted: [Hold], next: HostingService, in tx: any StoreTransaction, at now: Date)
        async throws
    {
        guard !lifted.isEmpty else { return }
        let ids = lifted.map { String($0.id) }.joined(separator: ",")
        if next.state == .active {
            try await request(.unsuspend, for: next, holds: [], key: "lifted:\(ids)", in: tx, at: now)
        } else if next.state == .suspended {
            try await request(.suspend, for: next, holds: next.holds, key: "lifted:\(ids)", in: tx, at: now)
        }
    }
}
