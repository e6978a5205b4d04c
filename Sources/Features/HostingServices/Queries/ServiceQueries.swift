import Domain
import Foundation

/// Reading hosting services and the catalogue, for the client area, the staff pages and the API.
public struct ServiceQueries: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    /// The client's services as the Services page shows them: the plan's name, the hold the client is told about
    /// and, when that is non-payment or the service waits for its order to be paid, the proforma to pay (the one the
    /// hold names, else an unpaid one with a line of the service).
    public func ofClient(_ clientID: Int64) async throws -> [ClientService] {
        let (services, plans, unpaid) = try await deps.store.read { r in
            (
                try await r.services(clientID: clientID, forUpdate: false), try await r.plans(),
                try await r.proformas(clientID: clientID, state: .unpaid, limit: 200, offset: 0)
            )
        }
        let planNames = Dictionary(plans.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        return services.map { s in
            let shown = HoldReason.shown(among: s.holds)
            var toPay: ProformaInvoice?
            if shown == .nonPayment || s.state == .pending {
                let named = s.holds.first { $0.reason == .nonPayment }?.proformaID
                toPay = unpaid.first { $0.id == named } ?? unpaid.first { $0.lines.contains { $0.serviceID == s.id } }
            }
            return ClientService(
                service: s, planName: planNames[s.planID] ?? "", hold: shown,
                invoiceToPay: toPay.map { InvoiceRef(.proforma, $0.id) }, invoiceToPayNumber: toPay?.number,
                openToPay: toPay.map { Money(minor: $0.openMinor, currency: $0.currency) })
        }
    }

    /// A client's services, oldest first; "not found" when there is no such client.
    public func services(clientID: Int64) async throws -> [HostingService] {
        try await deps.store.read { r in
            guard try await r.client(id: clientID) != nil else { throw UseCaseError.notFound("client") }
            return try await r.services(clientID: clientID, forUpdate: false)
        }
    }

    public func service(id: Int64) async throws -> HostingService {
        guard let s = try await deps.store.read({ r in try await r.service(id: id, forUpdate: false) }) else {
            throw UseCaseError.notFound("service")
        }
        return s
    }

    /// One of the client's services; another client's is "not found".
    public func service(id: Int64, ownedBy clientID: Int64) async throws -> HostingService {
        let s = try await service(id: id)
        guard s.clientID == clientID else { throw UseCaseError.notFound("service") }
        return s
    }

    public func plan(id: Int64) async throws -> HostingPlan {
        guard let p = try await deps.store.read({ r in try await r.plan(id: id) }) else {
            throw UseCaseError.notFound("plan")
        }
        return p
    }

    public func plans() async throws -> [HostingPlan] {
        try await deps.store.read { r in try await r.plans() }
    }

    /// The hosting server's side of a service: its plan's provisioner (nil: not provisioned automatically) and its
    /// jobs, oldest first.
    public func provisioning(serviceID: Int64) async throws -> (provisioner: String?, jobs: [ProvisioningJob]) {
        try await deps.store.read { r in
            guard try await r.service(id: serviceID, forUpdate: false) != nil else {
                throw UseCaseError.notFound("service")
            }
            return (try await r.provisioner(serviceID: serviceID), try await r.provisioningJobs(serviceID: serviceID))
        }
    }
}

public struct ClientService: Sendable {
    public let service: HostingService
    public let planName: String
    /// The hold the client is told about, when the service is held.
    public let hold: HoldReason?
    public let invoiceToPay: InvoiceRef?
    public let invoiceToPayNumber: String?
    /// What is left to pay on that proforma.
    public let openToPay: Money?
}
