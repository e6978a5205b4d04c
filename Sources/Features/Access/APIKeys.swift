import Domain
import Foundation

/// Issues an API key: shown once, stored only as its SHA-256, with its scopes and an optional expiry.
public struct CreateAPIKey: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    /// `scopes`: names of `APIScope` (read, billing, payments, admin); `expiresInDays`: 1…3650, or nil for no expiry.
    public func callAsFunction(name: String, scopes: [String] = ["admin"], expiresInDays: Int? = nil, staffID: Int64?)
        async throws -> (id: Int64, secret: String)
    {
        var errors = FieldErrors()
        let name = errors.text("name", name, limit: 100)
        if name.isEmpty { errors.add("name", "required", "Name the key after what uses it.") }
        let parsed = APIScope.parse(scopes)
        if parsed == nil { errors.add("scopes", "scope.enum", "Give one or more of: read, billing, payments, admin.") }
        if let days = expiresInDays, !(1...3650).contains(days) {
            errors.add("expiresInDays", "range", "A key expires in 1 to 3650 days, or never.")
        }
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        let secret = "hk_" + deps.random.hex(32)
        let hash = deps.digest.sha256Hex(secret)
        let now = deps.clock.now()
        let expires = expiresInDays.map { now.addingTimeInterval(Double($0) * 86_400) }
        let id = try await deps.store.write { tx in
            let id = try await tx.insert(
                apiKey: name, hash: hash, staffID: staffID, scopes: parsed!, expiresAt: expires, at: now)
            var detail = ["name": name, "scopes": APIScope.text(parsed!)]
            if let expires { detail["expires"] = ISO8601DateFormatter().string(from: expires) }
            try await tx.append(
                AuditEntry(
                    actor: staffID.map(Actor.staff) ?? .system, action: "api_key.created", entity: "api_key",
                    entityID: id, before: nil, after: auditJSON(detail), at: now))
            return id
        }
        return (id, secret)
    }
}

/// Every API key with its scopes, expiry and last use (never the secret: only its hash is stored).
public struct ListAPIKeys: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }
    public func callAsFunction() async throws -> [APIKeyRecord] {
        try await deps.store.read { r in try await r.apiKeys() }
    }
}

/// Revokes an API key: refused from then on. Audited; revoking twice is a 409.
public struct RevokeAPIKey: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(id: Int64, actor: Actor) async throws {
        let now = deps.clock.now()
        try await deps.store.write { tx in
            guard try await tx.revokeAPIKey(id: id, at: now) else {
                if try await tx.apiKeys().contains(where: { $0.id == id }) {
                    throw UseCaseError.conflict(rule: "api-key.revoked", message: "API key #\(id) is already revoked.")
                }
                throw UseCaseError.notFound("API key")
            }
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "api_key.revoked", entity: "api_key", entityID: id, before: nil, after: nil,
                    at: now))
        }
    }
}

/// Resolves a bearer API key to its record, or nil when unknown, revoked or expired; notes its use (at most once a
/// minute per key, so a busy integration does not write on every request).
public struct AuthenticateAPIKey: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(secret: String) async throws -> APIKeyRecord? {
        guard secret.hasPrefix("hk_"), secret.count == 67 else { return nil }
        let hash = deps.digest.sha256Hex(secret)
        let now = deps.clock.now()
        guard let key = try await deps.store.read({ r in try await r.apiKey(hash: hash) }), key.isUsable(at: now) else {
            return nil
        }
        if key.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            try await deps.store.write { tx in try await tx.touchAPIKey(id: key.id, at: now) }
        }
        return key
    }
}
