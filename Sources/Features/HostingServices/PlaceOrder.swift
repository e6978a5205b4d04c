import Domain
import Foundation

/// The client orders plans: a pending service for each and one `order` proforma for their first periods (e-mailed,
/// never an SMS: the client placed it).
public struct PlaceOrder: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public struct Result: Sendable {
        /// The services ordered, pending until the proforma is paid, in the order's order.
        public let services: [HostingService]
        public let proforma: ProformaInvoice
        /// The first (for an order of one service).
        public var service: HostingService { services[0] }
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

    /// What an order will cost before it is placed: the lines of the first periods, the buyer's VAT and the totals,
    /// the same as the proforma that confirming it issues today.
    public struct Quote: Sendable {
        public let profile: BillingProfile
        public let currency: Currency
        public let lines: [InvoiceLine]
        public let vat: VatTreatment
        public let totals: InvoiceTotals
        public let dueDate: CivilDate
    }

    /// At most this many services in one order (one proforma).
    public static let maxItems = 10

    public func callAsFunction(clientID: Int64, _ item: Item, billingProfileID: Int64?, actor: Actor) async throws
        -> Result
    {
        try await callAsFunction(clientID: clientID, [item], billingProfileID: billingProfileID, actor: actor)
    }

    /// Prices `items` for the client without writing anything (the order form's review step).
    public func quote(clientID: Int64, _ items: [Item], billingProfileID: Int64?) async throws -> Quote {
        let today = deps.today()
        return try await deps.store.read { r in
            let priced = try await price(items, clientID: clientID, in: r)
            let profile = try await r.chosenProfile(clientID: clientID, id: billingProfileID)
            let due = today.adding(days: deps.policy.orderDueDays)
            let vat: VatTreatment
            do { vat = try deps.vat.treatment(for: profile.party, on: due) } catch { throw UseCaseError.mapping(error) }
            let lines = priced.map { p in
                let period = p.item.cycle.period(anchor: today, index: 0)
                return Self.line(
                    plan: p.plan, domain: p.item.domain.value, period: period, serviceID: nil, price: p.price)
            }
            return Quote(
                profile: profile, currency: priced[0].plan.currency, lines: lines, vat: vat,
                totals: InvoiceTotals(
                    currency: priced[0].plan.currency,
                    lines: lines.map { ($0.netMinor, vat.category, vat.basisPoints) }),
                dueDate: due)
        }
    }

    /// Places an order of one or more services: each a pending service, all on one `order` proforma.
    public func callAsFunction(clientID: Int64, _ items: [Item], billingProfileID: Int64?, actor: Actor) async throws
        -> Result
    {
        let today = deps.today()
        let issuer = ProformaIssuer(deps: deps)
        let orderDue = deps.policy.orderDueDays
        return try await deps.store.write { tx in
            let priced = try await price(items, clientID: clientID, in: tx)
            let profile = try await tx.chosenProfile(clientID: clientID, id: billingProfileID)
            // The first period starts on the order day; later due dates are anchored to it.
            let now = deps.clock.now()
            var services: [HostingService] = []
            var lines: [InvoiceLine] = []
            for p in priced {
                let domain = p.item.domain.value
                let serviceID = try await tx.insert(
                    service: NewService(
                        clientID: clientID, planID: p.plan.id, domain: domain, cycle: p.item.cycle, price: p.price,
                        anchor: today, createdAt: now))
                let service = try await tx.service(id: serviceID, forUpdate: true)!
                let period = service.nextPeriodToInvoice
                lines.append(
                    Self.line(plan: p.plan, domain: domain, period: period, serviceID: serviceID, price: p.price))
                services.append(service.invoiced(through: period))
                try await tx.append(
                    AuditEntry(
                        actor: actor, action: "service.ordered", entity: "service", entityID: serviceID, before: nil,
                        after: auditJSON(["domain": domain, "plan": p.plan.code, "cycle": p.item.cycle.rawValue]),
                        at: now))
            }
            // Before issuing: an order paid from credit activates its services as it is issued.
            for s in services { try await tx.update(service: s, at: now) }
            let proforma = try await issuer.issue(
                in: tx, clientID: clientID, profile: profile, origin: .order, currency: priced[0].plan.currency,
                lines: lines, issueDate: today, dueDate: today.adding(days: orderDue), actor: actor)
            var ordered: [HostingService] = []
            for s in services { ordered.append(try await tx.service(id: s.id, forUpdate: false) ?? s) }
            return Result(services: ordered, proforma: proforma)
        }
    }

    private struct Priced {
        let item: Item
        let plan: HostingPlan
        let price: Money
    }

    /// Every item's plan and price, or a field error naming the item (`items[2].cycle`); one currency per order,
    /// since one proforma has one currency.
    private func price(_ items: [Item], clientID: Int64, in r: any StoreReader) async throws -> [Priced] {
        guard try await r.client(id: clientID) != nil else { throw UseCaseError.notFound("client") }
        var errors = FieldErrors()
        if items.isEmpty { errors.add("items", "order.empty", "Choose at least one plan to order.") }
        if items.count > Self.maxItems {
            errors.add("items", "order.too-many", "Order at most \(Self.maxItems) services at once.")
        }
        var priced: [Priced] = []
        for (i, item) in items.enumerated() {
            let field = items.count == 1 ? "" : "items[\(i)]."
            guard let plan = try await r.plan(id: item.planID), !plan.retired else {
                errors.add(field + "planId", "plan.not-sold", "Choose one of the plans on sale.")
                continue
            }
            guard let price = plan.price(for: item.cycle) else {
                errors.add(
                    field + "cycle", "cycle.not-offered", "The plan \(plan.name) is not sold \(item.cycle.rawValue).")
                continue
            }
            priced.append(Priced(item: item, plan: plan, price: price))
        }
        if Set(priced.map(\.plan.currency)).count > 1 {
            errors.add(
                "items", "order.one-currency",
                "One order is paid in one currency: order plans priced in different currencies separately.")
        }
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        return priced
    }

    static func line(plan: HostingPlan, domain: String, period: ServicePeriod, serviceID: Int64?, price: Money)
        -> InvoiceLine
    {
        InvoiceLine(
            serviceID: serviceID, period: period,
            description: "\(plan.name) – \(domain) (\(period.start) – \(period.end))", unitPriceMinor: price.minor)
    }
}
