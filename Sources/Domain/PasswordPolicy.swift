import Foundation

/// The one password rule for clients: 10 to 72 bytes (bcrypt reads no further), anything printable.
public enum PasswordPolicy {
    public static func check(_ password: String) -> FieldError? {
        if password.count < 10 || password.utf8.count > 72 {
            return FieldError(
                field: "password", rule: "password.length", message: "Use 10 to 72 bytes for the password.")
        }
        return nil
    }
}
