import Domain
import Foundation

/// The client orders a plan: a pending service and an `order` proforma for its first period.
public struct PlaceOrder: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public struct Result: Sendable {
        public let service: HostingService
        public let proforma: ProformaInvoice
    }

    public func callAsFunction(
        clientID: Int64, planID: Int64, cycle: String, domain: String, billingProfileID: Int64?, actor: Actor
    ) async throws -> Result {
        var errors = FieldErrors()
        let cycle = BillingCycle(rawValue: cycle)
        if cycle == nil {
            errors.add("cycle", "cycle.enum", "Choose monthly, quarterly, semiannual, annual or biennial.")
        }
        let domain = domain.trimmingCharacters(in: .whitespaces).lowercased()
        if domain.count < 4 || domain.count > 253 || !domain.contains(".")
            || !domain.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
        {
            errors.add("domain", "domain.format", "Give the site's domain name, e.g. example.ro.")
        }
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        let today = deps.today()
        let issuer = ProformaIssuer(deps: deps)
        let orderDue = deps.policy.orderDueDays
        return try await deps.store.write { tx in
            guard try await tx.client(id: clientID) != nil else { throw UseCaseError.notFound("client") }
            guard let plan = try await tx.plan(id: planID) else { throw UseCaseError.notFound("plan") }
            guard let price = plan.price(for: cycle!) else {
                throw UseCaseError.invalid(
                    ValidationFailure(
                        field: "cycle", rule: "cycle.not-offered",
                        message: "The plan \(plan.name) is not sold \(cycle!.rawValue)."))
            }
            let profile = try await tx.chosenProfile(clientID: clientID, id: billingProfileID)
            // The first period starts on the order day; later due dates are anchored to it.
            let now = deps.clock.now()
            let serviceID = try await tx.insert(
                service: NewService(
                    clientID: clientID, planID: plan.id, domain: domain, cycle: cycle!, price: price, anchor: today,
                    createdAt: now))
            var service = try await tx.service(id: serviceID, forUpdate: true)!
            let period = service.nextPeriodToInvoice
            let line = InvoiceLine(
                serviceID: serviceID, period: period,
                description: "\(plan.name) – \(domain) (\(period.start) – \(period.end))", unitPriceMinor: price.minor)
            let proforma = try await issuer.issue(
                in: tx, clientID: clientID, profile: profile, origin: .order, currency: plan.currency, lines: [line],
                issueDate: today, dueDate: today.adding(days: orderDue), actor: actor)
            service = service.invoiced(through: period)
            try await tx.update(service: service, at: now)
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "service.ordered", entity: "service", entityID: serviceID, before: nil,
                    after: auditJSON(["domain": domain, "plan": plan.code, "cycle": cycle!.rawValue]), at: now))
            return Result(service: service, proforma: proforma)
        }
    }
}
