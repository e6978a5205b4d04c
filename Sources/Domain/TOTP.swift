import Foundation

/// RFC 4648 base32 (no padding on output, padding and case ignored on input): the form authenticator apps
/// read a TOTP secret in.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer = 0
        var bits = 0
        for b in bytes {
            buffer = (buffer << 8) | Int(b)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer = 0
        var bits = 0
        for c in text.uppercased().utf8 where c != UInt8(ascii: "=") && c != UInt8(ascii: " ") {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            buffer = ((buffer << 5) | v) & 0xFFFF
            bits += 5
            if bits >= 8 {
                out.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return out
    }
}

/// Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 30-second steps, 6 digits. The HMAC is
/// passed in, so this file stays free of a crypto library.
public struct TOTP: Sendable {
    public typealias HMAC = @Sendable (_ key: [UInt8], _ message: [UInt8]) -> [UInt8]

    public let secret: [UInt8]
    public let digits: Int
    public let period: Int64
    let hmac: HMAC

    public init(secret: [UInt8], digits: Int = 6, period: Int64 = 30, hmac: @escaping HMAC) {
        self.secret = secret
        self.digits = digits
        self.period = period
        self.hmac = hmac
    }

    /// The step of an instant given in whole seconds since 1970 (64-bit: valid past 2038).
    public func step(unixTime: Int64) -> Int64 { unixTime / period }

    /// RFC 4226 §5.3: dynamic truncation of HMAC(K, counter), zero-padded to `digits`.
    public func code(step: Int64) -> String {
        let counter = (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(bitPattern: step) >> (UInt64($0) * 8)) }
        let mac = hmac(secret, counter)
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary =
            (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8)
            | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The step a typed code matches within ±1 step of `unixTime`, provided it is later than `lastUsedStep`
    /// (RFC 6238 §5.2: a code is never accepted twice). Spaces in the typed code are ignored.
    public func matchingStep(_ typed: String, unixTime: Int64, after lastUsedStep: Int64?) -> Int64? {
        let code = typed.filter { !$0.isWhitespace }
        guard code.count == digits, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else { return nil }
        let now = step(unixTime: unixTime)
        var found: Int64?
        // Every candidate is compared, in constant time, so timing does not tell which step matched.
        for s in [now - 1, now, now + 1] where constantTimeEquals(self.code(step: s), code) {
            if found == nil { found = s }
        }
        guard let s = found, s > (lastUsedStep ?? Int64.min) else { return nil }
        return s
    }

    /// `otpauth://totp/Hostico:email?secret=…&issuer=Hostico&algorithm=SHA1&digits=6&period=30`
    public func provisioningURI(issuer: String, account: String) -> String {
        func escape(_ s: String) -> String {
            var allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
            allowed.remove(UInt8(ascii: ":"))
            return s.utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }
                .joined()
        }
        return
            "otpauth://totp/\(escape(issuer)):\(escape(account))?secret=\(Base32.encode(secret))&issuer=\(escape(issuer))&algorithm=SHA1&digits=\(digits)&period=\(period)"
    }
}

/// Compares two secrets in time that depends only on their length (codes, CSRF tokens).
public func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<x.count { diff |= x[i] ^ y[i] }
    return diff == 0
}

/// Recovery codes: 10 single-use codes of 12 digits shown once as `1234-5678-9012`, stored only hashed.
public enum RecoveryCodes {
    public static let count = 10
    /// Crockford's base32: no I, L, O or U, so a code read aloud or retyped is not misread.
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// A code from 10 random bytes: 80 bits as 16 base32 characters, shown as XXXX-XXXX-XXXX-XXXX.
    public static func code(from bytes: [UInt8]) -> String {
        precondition(bytes.count >= 10, "a recovery code needs 80 random bits")
        var chars: [Character] = []
        var buffer: UInt32 = 0
        var bits = 0
        for b in bytes.prefix(10) {
            buffer = (buffer << 8) | UInt32(b)
            bits += 8
            while bits >= 5 {
                chars.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        return stride(from: 0, to: 16, by: 4).map { String(chars[$0..<$0 + 4]) }.joined(separator: "-")
    }

    /// The canonical form of what a client typed: 16 base32 characters (case, spaces and dashes ignored; O read as 0,
    /// I and L as 1), or the 12 digits of a code issued before 2026-12 — nil when it cannot be a recovery code.
    public static func normalized(_ typed: String) -> String? {
        let raw = typed.uppercased().filter { !$0.isWhitespace && $0 != "-" }
        if raw.count == 12, raw.allSatisfy({ $0.isASCII && $0.isNumber }) { return raw }
        let mapped = String(raw.map { c -> Character in c == "O" ? "0" : (c == "I" || c == "L") ? "1" : c })
        guard mapped.count == 16, mapped.allSatisfy(alphabet.contains) else { return nil }
        return mapped
    }

    /// What is stored for a code: `s1$<salt>$<sha256(salt:code)>`, so equal codes never share a hash and a leaked
    /// table cannot be matched against one precomputed list.
    public static func stored(_ code: String, salt: String, sha256: (String) -> String) -> String {
        "s1$\(salt)$" + sha256(salt + ":" + code)
    }

    /// Whether `code` (normalized) is the one stored; codes stored before salting are a plain SHA-256.
    public static func matches(_ code: String, stored: String, sha256: (String) -> String) -> Bool {
        let parts = stored.split(separator: "$", maxSplits: 2)
        let expected =
            parts.count == 3 && parts[0] == "s1"
            ? Self.stored(code, salt: String(parts[1]), sha256: sha256) : sha256(code)
        // Compared in full whatever differs first.
        guard expected.utf8.count == stored.utf8.count else { return false }
        return zip(expected.utf8, stored.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
