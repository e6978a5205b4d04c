import Domain
import Foundation

/// Creates a staff account (the CLI's `staff create`).
public struct CreateStaff: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(email: String, name: String, password: String) async throws -> Int64 {
        var errors = FieldErrors()
        let email = errors.check { () throws(ValidationFailure) in try EmailAddress.parse(email) }
        if let failure = PasswordPolicy.check(password, for: .staff) { errors.add(contentsOf: [failure]) }
        if name.trimmingCharacters(in: .whitespaces).isEmpty { errors.add("name", "required", "The name is required.") }
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        let hash = try await deps.passwords.hash(password)
        let now = deps.clock.now()
        do {
            return try await deps.store.write { tx in
                let id = try await tx.insert(staff: email!, name: name, passwordHash: hash, at: now)
                try await tx.append(
                    AuditEntry(
                        actor: .system, action: "staff.created", entity: "staff", entityID: id, before: nil,
                        after: auditJSON(["email": email!.value]), at: now))
                return id
            }
        } catch StoreError.duplicate {
            throw UseCaseError.invalid(
                ValidationFailure(
                    field: "email", rule: "email.taken", message: "A staff member with this e-mail exists."))
        }
    }
}
