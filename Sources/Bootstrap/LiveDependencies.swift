import Crypto
import Domain
import Features
import Foundation
import HummingbirdBcrypt
import Logging
import NIOPosix
import Storage

public struct SystemClock: TimeSource {
    let offset: TimeInterval
    public init(offsetSeconds: Int = 0) { offset = TimeInterval(offsetSeconds) }
    public func now() -> Date { Date(timeIntervalSinceNow: offset) }
}

/// The OS CSPRNG (getrandom on Linux).
public struct SystemRandom: RandomSource {
    public init() {}
    public func bytes(_ count: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &g) }
    }
}

public struct SHA256Digest: SecretDigest {
    public init() {}
    public func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).hexString
    }
}

/// AES-256-GCM with the configured key: `base64(nonce ‖ ciphertext ‖ tag)`.
public struct AESGCMSecretBox: SecretBox {
    let key: SymmetricKey
    public init(key: [UInt8]) { self.key = SymmetricKey(data: key) }

    public struct Unreadable: Error {}

    public func seal(_ plaintext: [UInt8]) throws -> String {
        guard let combined = try AES.GCM.seal(plaintext, using: key).combined else { throw Unreadable() }
        return combined.base64EncodedString()
    }

    public func open(_ sealed: String) throws -> [UInt8] {
        guard let data = Data(base64Encoded: sealed) else { throw Unreadable() }
        return Array(try AES.GCM.open(AES.GCM.SealedBox(combined: data), using: key))
    }
}

public struct CryptoMessageAuthentication: MessageAuthentication {
    public init() {}
    public func hmacSHA1(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}

/// Opens the database and wires the live dependencies.
public enum LiveDependencies {
    public static func open(
        _ config: AppConfig, logger: Logger, clock: (any TimeSource)? = nil,
        passwords: any PasswordHasher = BcryptPasswordHasher()
    ) async throws -> (AppDependencies, Database) {
        let clock = clock ?? SystemClock(offsetSeconds: config.clockOffsetSeconds)
        let database = try await Database.open(
            url: config.databaseURL, defaultSQLitePath: config.sqlitePath, logger: logger)
        let deps = AppDependencies(
            store: SQLStore(database: database), clock: clock, random: SystemRandom(), passwords: passwords,
            digest: SHA256Digest(),
            vat: VatRules(rates: .builtIn, euConsumers: config.euConsumerVat), policy: config.policy,
            numbering: config.numbering,
            seller: config.seller, timeZone: config.timeZone, logger: logger)
        return (deps, database)
    }
}
