import Domain
import Foundation

/// Cryptographically secure random bytes (tokens, API keys).
public protocol RandomSource: Sendable {
    func bytes(_ count: Int) -> [UInt8]
}

extension RandomSource {
    /// `count` random bytes as lower-case hex (tokens, ids).
    public func hex(_ count: Int) -> String { bytes(count).hexString }
}

public protocol PasswordHasher: Sendable {
    func hash(_ password: String) async throws -> String
    func verify(_ password: String, against hash: String) async throws -> Bool
}

/// Too many new password hashes are waiting (a sign-up flood): the request is refused at once, to be tried again.
public struct PasswordHashingBusy: Error, Sendable {
    public init() {}
}

/// One-way digest for high-entropy secrets (API keys, magic-link tokens): they are stored only hashed.
public protocol SecretDigest: Sendable {
    func sha256Hex(_ text: String) -> String
}
