import Domain
import Foundation

/// Issues proformas inside a transaction: numbers from the proforma series, VAT for each buyer, the
/// `proforma.issued` outbox event with its origin, and the audit entry. Shared by orders and renewals; the
/// billing run issues a whole batch of clients' proformas with a few multi-row statements.
struct ProformaIssuer: Sendable {
    let deps: AppDependencies

    struct Request: Sendable {
        let clientID: Int64
        let profile: BillingProfile
        let currency: Currency
        let lines: [InvoiceLine]
        let dueDate: CivilDate
    }

    func issue(
        in tx: any StoreTransaction, clientID: Int64, profile: BillingProfile, origin: ProformaOrigin, currency: Currency,
        lines: [InvoiceLine], issueDate: CivilDate, dueDate: CivilDate, actor: Actor, notice: [String: String] = [:]
    ) async throws -> ProformaInvoice {
        try await issue(in: tx, [Request(clientID: clientID, profile: profile, currency: currency, lines: lines, dueDate: dueDate)], origin: origin, issueDate: issueDate, actor: actor, notice: notice)[0]
    }

    /// `notice` adds to the `proforma.issued` event's payload (e.g. `reopened`, which the messages read).
    func issue(in tx: any StoreTransaction, _ requests: [Request], origin: ProformaOrigin, issueDate: CivilDate, actor: Actor, notice: [String: String] = [:]) async throws -> [ProformaInvoice] {
        guard !requests.isEmpty else { return [] }
        let treatments = try requests.map { r in
            do { return try deps.vat.treatment(for: r.profile.party, on: r.dueDate) } catch { throw BillingError.mapping(error) }
        }
        let series = ProformaNumbering.series(prefix: deps.numbering.proformaPrefix, year: issueDate.year)
        let numbers = try await tx.nextNumbers(series: series, count: requests.count)
        let now = deps.clock.now()
        let drafts = zip(requests, zip(numbers, treatments)).map { r, nv in
            NewProforma(
                series: series, number: nv.0, displayNumber: ProformaNumbering.display(series: series, number: nv.0),
                clientID: r.clientID, origin: origin, currency: r.currency, issueDate: issueDate, dueDate: r.dueDate,
                buyer: r.profile.party, billingProfileID: r.profile.id, vat: nv.1, lines: r.lines, createdAt: now)
        }
        let proformas = try await tx.insert(proformas: drafts)
        try await tx.enqueue(proformas.map { p in
            OutboxEvent(
                kind: .proformaIssued, key: "proforma:\(p.id)", clientID: p.clientID,
                payload: ["proformaID": String(p.id), "number": p.number, "origin": origin.rawValue, "total": p.totals.gross.description, "dueDate": p.dueDate.description].merging(notice) { a, _ in a },
                createdAt: now)
        })
        try await tx.append(proformas.map { p in
            AuditEntry(actor: actor, action: "proforma.issued", entity: "proforma", entityID: p.id, before: nil, after: auditJSON(ProformaSnapshot(p)), at: now)
        })
        return proformas
    }
}

/// The audit form of a proforma's money-relevant data.
struct ProformaSnapshot: Encodable {
    let number: String
    let state: String
    let version: Int
    let buyer: BillingParty
    let vat: VatTreatment
    let net: String
    let vatAmount: String
    let total: String
    let paid: String

    init(_ p: ProformaInvoice) {
        number = p.number
        state = p.state.rawValue
        version = p.version
        buyer = p.buyer
        vat = p.vat
        let t = p.totals
        net = t.net.description
        vatAmount = t.vat.description
        total = t.gross.description
        paid = Money(minor: p.paidMinor, currency: p.currency).description
    }
}

extension StoreReader {
    func defaultProfile(clientID: Int64) async throws -> BillingProfile? {
        let profiles = try await billingProfiles(clientID: clientID)
        return profiles.first(where: \.isDefault) ?? profiles.first
    }

    /// The client's profile `id`, or their default one when none is chosen; 404 for another client's profile.
    func chosenProfile(clientID: Int64, id: Int64?) async throws -> BillingProfile {
        if let id {
            guard let p = try await billingProfile(id: id), p.clientID == clientID else { throw BillingError.notFound("billing profile") }
            return p
        }
        guard let p = try await defaultProfile(clientID: clientID) else {
            throw BillingError.conflict(rule: "client.no-profile", message: "The client has no billing profile.")
        }
        return p
    }
}

/// The client orders a plan: a pending service and an `order` proforma for its first period.
public struct PlaceOrder: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public struct Result: Sendable {
        public let service: HostingService
        public let proforma: ProformaInvoice
    }

    public func callAsFunction(clientID: Int64, planID: Int64, cycle: String, domain: String, billingProfileID: Int64?, actor: Actor) async throws -> Result {
        var errors = FieldErrors()
        let cycle = BillingCycle(rawValue: cycle)
        if cycle == nil { errors.add("cycle", "cycle.enum", "Choose monthly, quarterly, semiannual, annual or biennial.") }
        let domain = domain.trimmingCharacters(in: .whitespaces).lowercased()
        if domain.count < 4 || domain.count > 253 || !domain.contains(".")
            || !domain.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
        {
            errors.add("domain", "domain.format", "Give the site's domain name, e.g. example.ro.")
        }
        do { try errors.throwIfAny() } catch { throw BillingError.invalid(error) }
        let today = deps.today()
        let issuer = ProformaIssuer(deps: deps)
        let orderDue = deps.policy.orderDueDays
        return try await deps.store.write { tx in
            guard try await tx.client(id: clientID) != nil else { throw BillingError.notFound("client") }
            guard let plan = try await tx.plan(id: planID) else { throw BillingError.notFound("plan") }
            guard let price = plan.price(for: cycle!) else {
                throw BillingError.invalid(ValidationFailure(field: "cycle", rule: "cycle.not-offered", message: "The plan \(plan.name) is not sold \(cycle!.rawValue)."))
            }
            let profile = try await tx.chosenProfile(clientID: clientID, id: billingProfileID)
            // The first period starts on the order day; later due dates are anchored to it.
            let now = deps.clock.now()
            let serviceID = try await tx.insert(service: NewService(clientID: clientID, planID: plan.id, domain: domain, cycle: cycle!, price: price, anchor: today, createdAt: now))
            var service = try await tx.service(id: serviceID, forUpdate: true)!
            let period = service.nextPeriodToInvoice
            let line = InvoiceLine(serviceID: serviceID, period: period, description: "\(plan.name) – \(domain) (\(period.start) – \(period.end))", unitPriceMinor: price.minor)
            let proforma = try await issuer.issue(in: tx, clientID: clientID, profile: profile, origin: .order, currency: plan.currency, lines: [line], issueDate: today, dueDate: today.adding(days: orderDue), actor: actor)
            service = service.invoiced(through: period)
            try await tx.update(service: service, at: now)
            try await tx.append(AuditEntry(actor: actor, action: "service.ordered", entity: "service", entityID: serviceID, before: nil, after: auditJSON(["domain": domain, "plan": plan.code, "cycle": cycle!.rawValue]), at: now))
            return Result(service: service, proforma: proforma)
        }
    }
}
