import Foundation

/// A hosting account's domain name, lower-cased: letters, digits, dashes and dots, with at least one dot.
public struct DomainName: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    public init?(_ text: String) {
        let v = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard v.count >= 4, v.count <= 253, v.contains("."),
            v.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
        else { return nil }
        value = v
    }

    public var description: String { value }
}
