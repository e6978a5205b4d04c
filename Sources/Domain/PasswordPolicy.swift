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
        // The upper limit is bcrypt's 72 bytes; people count characters, and a letter like ș takes two of them.
        let message =
            holder == .staff
            ? "Staff passwords have 12 to 72 characters (accented letters count twice)."
            : "Use 10 to 72 characters for the password (accented letters count twice)."
        return FieldError(field: "password", rule: "password.length", message: message)
    }
}
