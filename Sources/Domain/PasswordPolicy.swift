import Foundation

/// The password rule: 10 to 72 bytes for clients, 12 to 72 for staff (bcrypt reads no further), anything printable.
public enum PasswordPolicy {
    /// Whose password it is: staff accounts reach every client, so theirs are longer.
    public enum Holder: Sendable {
        case client, staff

        var minimumLength: Int { self == .staff ? 12 : 10 }
    }

    public static func check(_ password: String, for holder: Holder = .client) -> FieldError? {
        guard password.count < holder.minimumLength || password.utf8.count > 72 else { return nil }
        let message = holder == .staff ? "Staff passwords have 12 to 72 bytes." : "Use 10 to 72 bytes for the password."
        return FieldError(field: "password", rule: "password.length", message: message)
    }
}
