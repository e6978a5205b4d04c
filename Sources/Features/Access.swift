import Domain
import Foundation

/// Creates a staff account (the CLI's `staff create`).
public struct CreateStaff: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(email: String, name: String, password: String) async throws -> Int64 {
        var errors = FieldErrors()
        let email = errors.check { () throws(ValidationFailure) in try EmailAddress.parse(email) }
        if password.count < 12 || password.utf8.count > 72 { errors.add("password", "password.length", "Staff passwords have 12 to 72 bytes.") }
        if name.trimmingCharacters(in: .whitespaces).isEmpty { errors.add("name", "required", "The name is required.") }
        do { try errors.throwIfAny() } catch { throw BillingError.invalid(error) }
        let hash = try await deps.passwords.hash(password)
        let now = deps.clock.now()
        do {
            return try await deps.store.write { tx in
                let id = try await tx.insert(staff: email!, name: name, passwordHash: hash, at: now)
                try await tx.append(AuditEntry(actor: .system, action: "staff.created", entity: "staff", entityID: id, before: nil, after: auditJSON(["email": email!.value]), at: now))
                return id
            }
        } catch StoreError.duplicate {
            throw BillingError.invalid(ValidationFailure(field: "email", rule: "email.taken", message: "A staff member with this e-mail exists."))
        }
    }
}

/// Issues an API key: shown once, stored only as its SHA-256.
public struct CreateAPIKey: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(name: String, staffID: Int64?) async throws -> (id: Int64, secret: String) {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100 else {
            throw BillingError.invalid(ValidationFailure(field: "name", rule: "required", message: "Name the key after what uses it."))
        }
        let secret = "hk_" + deps.random.hex(32)
        let hash = deps.digest.sha256Hex(secret)
        let now = deps.clock.now()
        let id = try await deps.store.write { tx in
            let id = try await tx.insert(apiKey: name, hash: hash, staffID: staffID, at: now)
            try await tx.append(AuditEntry(actor: staffID.map(Actor.staff) ?? .system, action: "api_key.created", entity: "api_key", entityID: id, before: nil, after: auditJSON(["name": name]), at: now))
            return id
        }
        return (id, secret)
    }
}

/// Resolves a bearer API key to its record, or nil.
public struct AuthenticateAPIKey: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(secret: String) async throws -> APIKeyRecord? {
        guard secret.hasPrefix("hk_"), secret.count == 67 else { return nil }
        let hash = deps.digest.sha256Hex(secret)
        return try await deps.store.read { r in try await r.apiKey(hash: hash) }
    }
}

/// Stores a BNR exchange rate (RON per unit, four decimals) for a day.
public struct SetExchangeRate: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(currency: String, rate: String, date: String, actor: Actor) async throws -> ExchangeRate {
        var errors = FieldErrors()
        let cur = Currency(rawValue: currency)
        if cur == nil || cur == .RON { errors.add("currency", "currency.enum", "Choose EUR or USD.") }
        let d = CivilDate(date)
        if d == nil { errors.add("date", "date.format", "Use YYYY-MM-DD.") }
        let parts = rate.split(separator: ".", omittingEmptySubsequences: false)
        var e4: Int64?
        if parts.count <= 2, let whole = Int64(parts[0]), parts.count == 1 || (parts[1].count <= 4 && parts[1].allSatisfy(\.isNumber)) {
            let frac = parts.count == 2 ? String(parts[1]) + String(repeating: "0", count: 4 - parts[1].count) : "0000"
            e4 = whole * 10_000 + Int64(frac)!
        }
        if e4 == nil || e4! <= 0 { errors.add("rate", "rate.format", "Give RON per unit with up to four decimals, e.g. 4.9771.") }
        do { try errors.throwIfAny() } catch { throw BillingError.invalid(error) }
        let r = ExchangeRate(currency: cur!, ronPerUnitE4: e4!, date: d!)
        let now = deps.clock.now()
        try await deps.store.write { tx in
            try await tx.upsert(rate: r)
            try await tx.append(AuditEntry(actor: actor, action: "exchange_rate.set", entity: "exchange_rate", entityID: 0, before: nil, after: auditJSON(r), at: now))
        }
        return r
    }
}
