import Domain
import Foundation

/// Adds a hosting plan to the catalog.
public struct CreateHostingPlan: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(
        code: String, name: String, currency: String, prices: [String: String], provisioner: String? = nil, actor: Actor
    ) async throws -> HostingPlan {
        var errors = FieldErrors()
        let code = code.trimmingCharacters(in: .whitespaces).lowercased()
        if code.isEmpty || code.count > 40
            || !code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        {
            errors.add("code", "code.format", "Use 1–40 lower-case letters, digits or dashes.")
        }
        let name = errors.text("name", name, limit: 200)
        if name.isEmpty { errors.add("name", "required", "The plan name is required.") }
        let cur = Currency(rawValue: currency)
        if cur == nil { errors.add("currency", "currency.enum", "Choose RON, EUR or USD.") }
        var parsed: [BillingCycle: Int64] = [:]
        for (key, value) in prices {
            guard let cycle = BillingCycle(rawValue: key) else {
                errors.add("prices.\(key)", "cycle.enum", "Unknown billing cycle.")
                continue
            }
            guard let minor = Money.parseMinor(value), minor > 0 else {
                errors.add("prices.\(key)", "amount.positive", "Give a positive amount with at most two decimals.")
                continue
            }
            parsed[cycle] = minor
        }
        if parsed.isEmpty && errors.isEmpty {
            errors.add("prices", "required", "Give a price for at least one billing cycle.")
        }
        if let p = provisioner,
            p.isEmpty || p.count > 40 || !p.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
        {
            errors.add(
                "provisioner", "provisioner.name",
                "Name a configured provisioner: lower-case letters, digits and dashes.")
        }
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        let now = deps.clock.now()
        let prices = parsed
        do {
            return try await deps.store.write { tx in
                let id = try await tx.insert(plan: code, name: name, currency: cur!, prices: prices, at: now)
                if let provisioner { try await tx.setProvisioner(planID: id, name: provisioner) }
                try await tx.append(
                    AuditEntry(
                        actor: actor, action: "plan.created", entity: "plan", entityID: id, before: nil,
                        after: auditJSON(["code": code, "name": name]), at: now))
                return try await tx.plan(id: id)!
            }
        } catch StoreError.duplicate {
            throw UseCaseError.invalid(
                ValidationFailure(field: "code", rule: "code.taken", message: "A plan with this code exists."))
        }
    }
}

/// Takes a plan off sale (orders refuse it; its services keep renewing) or puts it back.
public struct RetireHostingPlan: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(planID: Int64, retired: Bool, actor: Actor) async throws -> HostingPlan {
        try await deps.store.write { tx in
            guard let plan = try await tx.plan(id: planID) else { throw UseCaseError.notFound("plan") }
            guard plan.retired != retired else { return plan }
            let now = deps.clock.now()
            try await tx.setRetired(planID: planID, retired, at: now)
            try await tx.append(
                AuditEntry(
                    actor: actor, action: retired ? "plan.retired" : "plan.on_sale", entity: "plan", entityID: planID,
                    before: nil, after: auditJSON(["code": plan.code]), at: now))
            return try await tx.plan(id: planID)!
        }
    }
}
