/// Who caused a change, as recorded in the audit log and on holds.
public enum Actor: Sendable, Hashable, Codable, CustomStringConvertible {
    case system
    case staff(Int64)
    case client(Int64)
    case apiKey(Int64)

    /// "system", "staff:3", "client:12", "api-key:1".
    public var description: String {
        switch self {
        case .system: "system"
        case .staff(let id): "staff:\(id)"
        case .client(let id): "client:\(id)"
        case .apiKey(let id): "api-key:\(id)"
        }
    }

    public init?(_ text: String) {
        if text == "system" {
            self = .system
            return
        }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let id = Int64(parts[1]) else { return nil }
        switch parts[0] {
        case "staff": self = .staff(id)
        case "client": self = .client(id)
        case "api-key": self = .apiKey(id)
        default: return nil
        }
    }

    public var kind: String { String(description.split(separator: ":")[0]) }
}
