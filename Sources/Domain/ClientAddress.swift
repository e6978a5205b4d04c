import Foundation

/// An IPv4 or IPv6 address as 4 or 16 bytes, parsed from its text form (no lookups: pure).
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(_ text: some StringProtocol) {
        var s = Substring(text)
        if s.hasPrefix("["), s.hasSuffix("]") { s = s.dropFirst().dropLast() }
        if let zone = s.firstIndex(of: "%") { s = s[..<zone] }
        if s.contains(":") {
            guard let b = Self.v6(s) else { return nil }
            bytes = b
        } else {
            guard let b = Self.v4(s) else { return nil }
            bytes = b
        }
    }

    private static func v4(_ s: Substring) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), let n = UInt8(p) else { return nil }
            out.append(n)
        }
        return out
    }

    private static func v6(_ s: Substring) -> [UInt8]? {
        func groups(_ part: Substring) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, f) in fields.enumerated() {
                if i == fields.count - 1, f.contains(".") {
                    guard let four = v4(f) else { return nil }
                    out += four
                    continue
                }
                guard (1...4).contains(f.count), let n = UInt16(f, radix: 16) else { return nil }
                out += [UInt8(n >> 8), UInt8(n & 0xFF)]
            }
            return out
        }
        let halves = s.components(separatedBy: "::")
        switch halves.count {
        case 1:
            guard let all = groups(s), all.count == 16 else { return nil }
            return all
        case 2:
            guard let head = groups(Substring(halves[0])), let tail = groups(Substring(halves[1])),
                head.count + tail.count <= 14
            else { return nil }
            return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
        default:
            return nil
        }
    }

    public var isV4: Bool { bytes.count == 4 }

    /// An IPv6 address's eight 16-bit groups in hex.
    var groups: [String] {
        stride(from: 0, to: bytes.count, by: 2).map {
            String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
        }
    }

    public var description: String {
        isV4 ? bytes.map(String.init).joined(separator: ".") : groups.joined(separator: ":")
    }
}

/// A network in CIDR form ("10.0.0.0/8", "fd00::/8"; a bare address is a single host).
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let base: IPAddress
    public let prefix: Int

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let base = IPAddress(first.trimmingCharacters(in: .whitespaces)) else {
            return nil
        }
        let bits = base.bytes.count * 8
        if parts.count == 2 {
            guard let p = Int(parts[1].trimmingCharacters(in: .whitespaces)), (0...bits).contains(p) else { return nil }
            prefix = p
        } else {
            prefix = bits
        }
        self.base = base
    }

    public func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == base.bytes.count else { return false }
        var left = prefix
        for (a, b) in zip(address.bytes, base.bytes) {
            if left <= 0 { return true }
            let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
            if a & mask != b & mask { return false }
            left -= 8
        }
        return true
    }

    public var description: String { "\(base)/\(prefix)" }
}

/// Who is on the other end of a request, for rate limits and the audit log.
public enum ClientAddress {
    /// The client's address: the socket peer, unless the peer is a trusted proxy; then the right-most hop of
    /// `X-Forwarded-For` that is not a trusted proxy (hops to its left are whatever the client claimed).
    public static func resolve(peer: String, forwardedFor: [String], trusted: [IPNetwork]) -> String {
        guard let peerAddress = IPAddress(peer), trusted.contains(where: { $0.contains(peerAddress) }) else {
            return peer
        }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        for hop in hops.reversed() {
            guard let address = IPAddress(hop) else { return peer }  // a garbled header: trust only the proxy itself
            if !trusted.contains(where: { $0.contains(address) }) { return address.description }
        }
        return hops.first.flatMap(IPAddress.init)?.description ?? peer
    }

    /// What limits count per: one IPv4 address, or one IPv6 /64 (a subscriber gets a whole /64 and can rotate
    /// addresses inside it at will).
    public static func limitBucket(_ ip: String) -> String {
        guard let a = IPAddress(ip), !a.isV4 else { return ip }
        return a.groups.prefix(4).joined(separator: ":") + "::/64"
    }
}
