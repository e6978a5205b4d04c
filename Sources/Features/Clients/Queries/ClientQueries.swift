import Domain
import Foundation

/// Reading clients and their billing profiles, for the client area, the staff pages and the API.
public struct ClientQueries: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func client(id: Int64) async throws -> Client {
        guard let c = try await deps.store.read({ r in try await r.client(id: id) }) else {
            throw UseCaseError.notFound("client")
        }
        return c
    }

    /// The client with its billing profiles, read together.
    public func withProfiles(id: Int64) async throws -> (client: Client, profiles: [BillingProfile]) {
        try await deps.store.read { r in
            guard let c = try await r.client(id: id) else { throw UseCaseError.notFound("client") }
            return (c, try await r.billingProfiles(clientID: id))
        }
    }

    /// Clients whose e-mail or name contains `query` (all when nil or empty).
    public func search(_ query: String?, limit: Int, offset: Int) async throws -> [ClientSummary] {
        try await deps.store.read { r in try await r.searchClients(query: query, limit: limit, offset: offset) }
    }

    public func billingProfiles(clientID: Int64) async throws -> [BillingProfile] {
        try await deps.store.read { r in try await r.billingProfiles(clientID: clientID) }
    }

    /// One of the client's profiles; another client's is "not found".
    public func billingProfile(id: Int64, ownedBy clientID: Int64) async throws -> BillingProfile {
        guard let p = try await deps.store.read({ r in try await r.billingProfile(id: id) }), p.clientID == clientID
        else { throw UseCaseError.notFound("billing profile") }
        return p
    }
}
