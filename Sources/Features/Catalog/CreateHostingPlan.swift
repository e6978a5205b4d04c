import Domain
import Foundation

/// A plan as staff describe it, typed: surfaces build it with `parse`, which names every bad field.
public struct HostingPlanInput: Sendable, Equatable {
    public let code: String
    public let name: String
    /// What the plan includes, for the catalogue (free text, at most 1,000 characters).
    public let description: String
    public let currency: Currency
    public let prices: [BillingCycle: Int64]
    /// Which configured provisioner sets its accounts up; nil: staff do it by hand.
    public let provisioner: String?

    public init(
        code: String, name: String, description: String = "", currency: Currency, prices: [BillingCycle: Int64],
        provisioner: String?
    ) {
        self.description = description
        self.code = code
        self.name = name
        self.currency = currency
        self.prices = prices
        self.provisioner = provisioner
    }

    /// What a form or a JSON body sends: prices by cycle name ("monthly": "30.00"); an empty price is no price.
    public static func parse(
        code: String, name: String, description: String = "", currency: String, prices: [String: String],
        provisioner: String?
    ) throws -> HostingPlanInput {
        var errors = FieldErrors()
        let code = code.trimmingCharacters(in: .whitespaces).lowercased()
        if code.isEmpty || code.count > 40
            || !code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        {
            errors.add("code", "code.format", "Use 1–40 lower-case letters, digits or dashes.")
        }
        let name = errors.text("name", name, limit: 200)
        if name.isEmpty { errors.add("name", "required", "The plan name is required.") }
        // Line breaks are allowed here (a list of what the plan includes); other control characters are not.
        let description = description.trimmingCharacters(in: .whitespacesAndNewlines)
        if description.unicodeScalars.count > 1000 {
            errors.add(
                "description", "length.max", "At most 1000 characters (this has \(description.unicodeScalars.count)).")
        }
        if description.unicodeScalars.contains(where: { $0 != "\n" && $0 != "\r" && FreeText.isForbidden($0) }) {
            errors.add("description", "text.control", "Remove tabs and other control characters.")
        }
        let cur = Currency(rawValue: currency)
        if cur == nil { errors.add("currency", "currency.enum", "Choose RON, EUR or USD.") }
        var parsed: [BillingCycle: Int64] = [:]
        for (key, value) in prices.sorted(by: { $0.key < $1.key }) {
            guard let cycle = BillingCycle(rawValue: key) else {
                errors.add("prices.\(key)", "cycle.enum", "Unknown billing cycle.")
                continue
            }
            if value.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let minor = Money.parseMinor(value), minor > 0 else {
                errors.add("prices.\(key)", "amount.positive", "Give a positive amount with at most two decimals.")
                continue
            }
            parsed[cycle] = minor
        }
        if parsed.isEmpty && errors.isEmpty {
            errors.add("prices", "required", "Give a price for at least one billing cycle.")
        }
        let provisioner = provisioner.flatMap { $0.isEmpty ? nil : $0 }
        if let p = provisioner,
            p.count > 40 || !p.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
        {
            errors.add(
                "provisioner", "provisioner.name",
                "Name a configured provisioner: lower-case letters, digits and dashes.")
        }
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        return HostingPlanInput(
            code: code, name: name, description: description, currency: cur!, prices: parsed, provisioner: provisioner)
    }
}

/// Adds a hosting plan to the catalog.
public struct CreateHostingPlan: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(
        code: String, name: String, currency: String, prices: [String: String], provisioner: String? = nil, actor: Actor
    ) async throws -> HostingPlan {
        try await callAsFunction(
            try .parse(code: code, name: name, currency: currency, prices: prices, provisioner: provisioner),
            actor: actor)
    }

    public func callAsFunction(_ input: HostingPlanInput, actor: Actor) async throws -> HostingPlan {
        let now = deps.clock.now()
        do {
            return try await deps.store.write { tx in
                let id = try await tx.insert(
                    plan: input.code, name: input.name, currency: input.currency, prices: input.prices, at: now)
                if let provisioner = input.provisioner { try await tx.setProvisioner(planID: id, name: provisioner) }
                if !input.description.isEmpty {
                    try await tx.update(
                        planID: id, name: input.name, description: input.description, prices: input.prices)
                }
                try await tx.append(
                    AuditEntry(
                        actor: actor, action: "plan.created", entity: "plan", entityID: id, before: nil,
                        after: auditJSON(["code": input.code, "name": input.name]), at: now))
                return try await tx.plan(id: id)!
            }
        } catch StoreError.duplicate {
            throw UseCaseError.invalid(
                ValidationFailure(field: "code", rule: "code.taken", message: "A plan with this code exists."))
        }
    }
}

/// Changes a plan's name, prices and provisioner. New prices apply to new orders; a service keeps the price it was
/// sold at. The code and currency stay (services and invoices name them).
public struct UpdateHostingPlan: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(planID: Int64, _ input: HostingPlanInput, actor: Actor) async throws -> HostingPlan {
        try await deps.store.write { tx in
            guard let plan = try await tx.plan(id: planID) else { throw UseCaseError.notFound("plan") }
            var errors = FieldErrors()
            if input.code != plan.code { errors.add("code", "plan.code-fixed", "A plan's code cannot change.") }
            if input.currency != plan.currency {
                errors.add("currency", "plan.currency-fixed", "A plan's currency cannot change; add a new plan.")
            }
            if !errors.errors.isEmpty { throw UseCaseError.invalid(ValidationFailure(errors.errors)) }
            let now = deps.clock.now()
            try await tx.update(
                planID: planID, name: input.name, description: input.description, prices: input.prices)
            try await tx.setProvisioner(planID: planID, name: input.provisioner)
            let after = try await tx.plan(id: planID)!
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "plan.updated", entity: "plan", entityID: planID,
                    before: auditJSON(PlanSnapshot(plan)), after: auditJSON(PlanSnapshot(after)), at: now))
            return after
        }
    }
}

struct PlanSnapshot: Encodable {
    let name: String
    let description: String
    let prices: [String: String]
    let provisioner: String?
    init(_ p: HostingPlan) {
        name = p.name
        description = p.description
        prices = Dictionary(uniqueKeysWithValues: p.prices.map { ($0.key.rawValue, Money.format(minor: $0.value)) })
        provisioner = p.provisioner
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
