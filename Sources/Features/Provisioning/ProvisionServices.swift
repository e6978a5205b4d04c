import Domain
import Foundation

/// What a provisioner receives on standard input (as JSON): the action, and the service and client data it
/// needs. Never passed through a shell.
public struct ProvisioningInput: Codable, Sendable, Equatable {
    public struct Service: Codable, Sendable, Equatable {
        public let id: Int64
        public let domain: String
        public let plan: String
        public let cycle: String
    }

    public struct ClientData: Codable, Sendable, Equatable {
        public let id: Int64
        public let email: String
        public let name: String
        public let language: String
    }

    public let job: Int64
    public let action: ProvisioningAction
    /// For `suspend`: non_payment, abuse or other; what the suspended page tells the visitor.
    public let reason: String?
    public let service: Service
    public let client: ClientData
    /// For a non-payment suspension: where the client pays (the invoice in the client area).
    public let payURL: String?
}

public enum ProvisionerResult: Sendable, Equatable {
    case done
    /// Try again later (exit 75, a time-out, the server unreachable).
    case tryLater(String)
    case failed(String)
}

/// Runs one action on a hosting server (e.g. a command, see the command provisioner).
public protocol Provisioner: Sendable {
    func run(_ input: ProvisioningInput, using provisioner: String) async -> ProvisionerResult
}

/// The queue of provisioning jobs: one ordered queue per service, several workers.
public protocol ProvisioningQueue: Sendable {
    /// Claims up to `limit` jobs that are due and first in line for their service (no earlier job of the same
    /// service is still open), with a lease; `FOR UPDATE SKIP LOCKED` on PostgreSQL.
    func claim(now: Date, leaseUntil: Date, limit: Int) async throws -> [ProvisioningJob]
    func complete(jobID: Int64, at: Date) async throws
    func retry(jobID: Int64, at: Date, next: Date, reason: String) async throws
    func fail(jobID: Int64, at: Date, reason: String) async throws
    /// Staff: run a failed job again now; false when the job is not failed. The audit entry commits with it.
    func requeue(jobID: Int64, at: Date, audit: AuditEntry) async throws -> Bool
    /// Staff: they did it by hand; the queue moves on. False when the job is not failed.
    func markDone(jobID: Int64, at: Date, audit: AuditEntry) async throws -> Bool
}

public struct ProvisioningSettings: Sendable {
    public let retryBaseSeconds: Int
    public let maxRetryDelaySeconds: Int
    public let maxAttempts: Int
    public let leaseSeconds: Int
    /// Where the "pay here" page of a suspended site points.
    public let links: ClientAreaLinks

    public init(
        retryBaseSeconds: Int = 30, maxRetryDelaySeconds: Int = 3600, maxAttempts: Int = 12, leaseSeconds: Int = 600,
        publicBaseURL: String
    ) {
        self.retryBaseSeconds = retryBaseSeconds
        self.maxRetryDelaySeconds = maxRetryDelaySeconds
        self.maxAttempts = maxAttempts
        self.leaseSeconds = leaseSeconds
        self.links = ClientAreaLinks(baseURL: publicBaseURL)
    }

    public func retryDelay(afterAttempts attempts: Int) -> Int {
        exponentialBackoff(afterAttempts: attempts, baseSeconds: retryBaseSeconds, maxSeconds: maxRetryDelaySeconds)
    }
}

/// Makes the hosting servers follow the billing state: claims due jobs, runs each service's provisioner, and
/// records the outcome. A job killed mid-run (crash) is run again when its lease expires, so provisioners
/// must be idempotent (the nginx one is: each action writes the whole end state).
public struct ProvisionServices: Sendable {
    let deps: AppDependencies
    let queue: any ProvisioningQueue
    let provisioner: any Provisioner
    let settings: ProvisioningSettings

    public init(
        deps: AppDependencies, queue: any ProvisioningQueue, provisioner: any Provisioner,
        settings: ProvisioningSettings
    ) {
        self.deps = deps
        self.queue = queue
        self.provisioner = provisioner
        self.settings = settings
    }

    public struct Report: Sendable, Equatable, CustomStringConvertible {
        public var done = 0, retried = 0, failed = 0
        public init() {}
        public var description: String { "\(done) done, \(retried) to retry, \(failed) failed" }
    }

    /// Runs rounds until nothing is due (a service's next job becomes due when the one before it is done;
    /// a postponed job is not due again in the same pass).
    public func runOnce(batch: Int = 50) async throws -> Report {
        var report = Report()
        while true {
            let now = deps.clock.now()
            let jobs = try await queue.claim(
                now: now, leaseUntil: now.addingTimeInterval(Double(settings.leaseSeconds)), limit: batch)
            if jobs.isEmpty { return report }
            // Different services in parallel; a claim holds at most one job per service, which keeps its order.
            let outcomes = await withTaskGroup(of: ProvisioningJobStatus?.self) { group in
                for job in jobs { group.addTask { await self.handle(job) } }
                return await group.reduce(into: [ProvisioningJobStatus?]()) { $0.append($1) }
            }
            for o in outcomes {
                switch o {
                case .done?: report.done += 1
                case .failed?: report.failed += 1
                default: report.retried += 1
                }
            }
        }
    }

    private func handle(_ job: ProvisioningJob) async -> ProvisioningJobStatus? {
        let now = deps.clock.now()
        do {
            guard let (input, name) = try await input(for: job) else {
                try await queue.complete(jobID: job.id, at: now)  // the plan no longer provisions: nothing to do
                return .done
            }
            let result = await provisioner.run(input, using: name)
            let at = deps.clock.now()
            switch result {
            case .done:
                try await queue.complete(jobID: job.id, at: at)
                return .done
            case .tryLater(let reason):
                let attempts = job.attempts + 1
                if attempts >= settings.maxAttempts {
                    try await queue.fail(jobID: job.id, at: at, reason: "gave up after \(attempts) attempts: \(reason)")
                    return .failed
                }
                try await queue.retry(
                    jobID: job.id, at: at,
                    next: at.addingTimeInterval(Double(settings.retryDelay(afterAttempts: attempts))), reason: reason)
                return .queued
            case .failed(let reason):
                deps.logger.error(
                    "provisioning failed",
                    metadata: ["job": "\(job.id)", "service": "\(job.serviceID)", "action": "\(job.action.rawValue)"])
                try await queue.fail(jobID: job.id, at: at, reason: reason)
                return .failed
            }
        } catch {
            deps.logger.error("provisioning job not recorded", metadata: ["job": "\(job.id)", "error": "\(error)"])
            return nil
        }
    }

    /// What the provisioner is told, and which provisioner; nil when the service or its plan's provisioner is gone.
    func input(for job: ProvisioningJob) async throws -> (ProvisioningInput, String)? {
        try await deps.store.read { r -> (ProvisioningInput, String)? in
            guard let s = try await r.service(id: job.serviceID, forUpdate: false),
                let plan = try await r.plan(id: s.planID), let provisioner = plan.provisioner,
                let c = try await r.client(id: s.clientID)
            else { return nil }
            let name = try await r.defaultProfile(clientID: c.id)?.party.name ?? c.email.value
            let input = ProvisioningInput(
                job: job.id, action: job.action, reason: job.payload["reason"],
                service: .init(id: s.id, domain: s.domain, plan: plan.code, cycle: s.cycle.rawValue),
                client: .init(id: c.id, email: c.email.value, name: name, language: c.language.rawValue),
                payURL: job.payload["proformaID"].flatMap(Int64.init).map {
                    settings.links.invoice(InvoiceRef(.proforma, $0))
                })
            return (input, provisioner)
        }
    }
}
