/// One rejected input field: which field, which rule it broke, and a sentence for a person.
public struct FieldError: Sendable, Hashable, Codable, Error {
    public let field: String
    public let rule: String
    public let message: String

    public init(field: String, rule: String, message: String) {
        self.field = field
        self.rule = rule
        self.message = message
    }
}

/// Every field error of one input at once, so a form or API client can show them all.
public struct ValidationFailure: Error, Sendable, Hashable {
    public let errors: [FieldError]

    public init(_ errors: [FieldError]) { self.errors = errors }
    public init(field: String, rule: String, message: String) {
        self.errors = [FieldError(field: field, rule: rule, message: message)]
    }
}

/// Collects field errors while an input is parsed.
public struct FieldErrors: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public mutating func add(_ field: String, _ rule: String, _ message: String) {
        errors.append(FieldError(field: field, rule: rule, message: message))
    }

    public mutating func add(contentsOf other: [FieldError]) { errors.append(contentsOf: other) }

    /// Runs a parser; on failure records its errors and returns nil.
    public mutating func check<T>(_ parse: () throws(ValidationFailure) -> T) -> T? {
        do { return try parse() } catch {
            errors.append(contentsOf: error.errors)
            return nil
        }
    }

    public func throwIfAny() throws(ValidationFailure) {
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }

    public var isEmpty: Bool { errors.isEmpty }
}

extension FieldErrors {
    /// A line of text as a person types it. Refused, never silently changed: more than `limit` characters (Unicode
    /// code points, as the OpenAPI `maxLength` counts), or a control character (line break, tab, BEL…) or a
    /// bidirectional override that could make printed text read differently. Returns the value trimmed of spaces.
    public mutating func text(_ field: String, _ value: String, limit: Int) -> String {
        if value.unicodeScalars.count > limit {
            add(field, "length.max", "At most \(limit) characters (this has \(value.unicodeScalars.count)).")
        }
        if value.unicodeScalars.contains(where: FreeText.isForbidden) {
            add(field, "text.control", "Remove line breaks, tabs and other control characters.")
        }
        return value.trimmingCharacters(in: .whitespaces)
    }
}

public enum FreeText {
    /// C0 and C1 controls, and the bidirectional embedding, override and isolate marks. Joiners (U+200C, U+200D),
    /// which Devanagari and other scripts need, are allowed.
    public static func isForbidden(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
