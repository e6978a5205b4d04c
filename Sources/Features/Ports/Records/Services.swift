import Domain
import Foundation

public struct NewService: Sendable {
    public let clientID: Int64
    public let planID: Int64
    public let domain: String
    public let cycle: BillingCycle
    public let price: Money
    public let anchor: CivilDate
    public let createdAt: Date

    public init(
        clientID: Int64, planID: Int64, domain: String, cycle: BillingCycle, price: Money, anchor: CivilDate,
        createdAt: Date
    ) {
        self.clientID = clientID
        self.planID = planID
        self.domain = domain
        self.cycle = cycle
        self.price = price
        self.anchor = anchor
        self.createdAt = createdAt
    }

}

/// A provisioning job to add in the same transaction as the billing change that causes it. `key` makes it
/// idempotent per (service, action, hold): writing it twice keeps one job.
public struct NewProvisioningJob: Sendable, Equatable {
    public let serviceID: Int64
    public let action: ProvisioningAction
    public let key: String
    public let payload: [String: String]
    public let createdAt: Date

    public init(serviceID: Int64, action: ProvisioningAction, key: String, payload: [String: String], createdAt: Date) {
        self.serviceID = serviceID
        self.action = action
        self.key = key
        self.payload = payload
        self.createdAt = createdAt
    }
}

/// A job as stored (staff see these per service).
public struct ProvisioningJob: Sendable, Equatable {
    public let id: Int64
    public let serviceID: Int64
    public let action: ProvisioningAction
    public let payload: [String: String]
    public let status: ProvisioningJobStatus
    public let attempts: Int
    public let lastError: String?
    public let createdAt: Date
    public let updatedAt: Date

    public init(
        id: Int64, serviceID: Int64, action: ProvisioningAction, payload: [String: String],
        status: ProvisioningJobStatus, attempts: Int, lastError: String?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.serviceID = serviceID
        self.action = action
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
