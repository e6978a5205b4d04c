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

    /// One service to order, typed: surfaces build it with `parse`.
    public struct Item: Sendable, Equatable {
        public let planID: Int64
        public let cycle: BillingCycle
        public let domain: DomainName

        public init(planID: Int64, cycle: BillingCycle, domain: DomainName) {
            self.planID = planID
            self.cycle = cycle
            self.domain = domain
        }

        /// What a form or a JSON body sends, checked field by field (`UseCaseError.invalid` names every bad field).
        public static func parse(planID: Int64, cycle: String, domain: String) throws -> Item {
            var errors = FieldErrors()
            let cycle = BillingCycle(rawValue: cycle)
            if cycle == nil {
                errors.add("cycle", "cycle.enum", "Choose monthly, quarterly, semiannual, annual or biennial.")
            }
            let domain = DomainName(domain)
            if domain == nil { errors.add("domain", "domain.format", "Give the site's domain name, e.g. example.ro.") }
            do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
            guard let cycle, let domain else { throw UseCaseError.invalid(ValidationFailure(errors.errors)) }
            return Item(planID: planID, cycle: cycle, domain: domain)
        }
    }

    public func callAsFunction(clientID: Int64, _ item: Item, billingProfileID: Int64?, actor: Actor) async throws
        -> Result
    {
        let (planID, cycle, domain) = (item.planID, item.cycle, item.domain.value)
        let today = deps.today()
        let issuer = ProformaIssuer(deps: deps)
        let orderDue = deps.policy.orderDueDays
        return try await deps.store.write { tx in
            guard try await tx.client(id: clientID) != nil else { throw UseCaseError.notFound("client") }
            guard let plan = try await tx.plan(id: planID) else { throw UseCaseError.notFound("plan") }
            guard let price = plan.price(for: cycle) else {
                throw UseCaseError.invalid(
                    ValidationFailure(
                        field: "cycle", rule: "cycle.not-offered",
                        message: "The plan \(plan.name) is not sold \(cycle.rawValue)."))
            }
            let profile = try await tx.chosenProfile(clientID: clientID, id: billingProfileID)
            // The first period starts on the order day; later due dates are anchored to it.
            let now = deps.clock.now()
            let serviceID = try await tx.insert(
                service: NewService(
                    clientID: clientID, planID: plan.id, domain: domain, cycle: cycle, price: price, anchor: today,
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
                    after: auditJSON(["domain": domain, "plan": plan.code, "cycle": cycle.rawValue]), at: now))
            return Result(service: service, proforma: proforma)
        }
    }
}
