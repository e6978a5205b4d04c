import Domain
import Foundation

/// "My Details": phone, language, time zone and the SMS checkbox. Each change of the SMS choice is recorded
/// with its time and source; SMS cannot be turned on without a valid mobile number.
public struct UpdateClientDetails: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public struct Input: Sendable {
        public var phone: String?
        public var language: String
        public var smsOptIn: Bool
        public var timeZone: String?
        public init(phone: String?, language: String, smsOptIn: Bool, timeZone: String? = nil) {
            self.phone = phone
            self.language = language
            self.smsOptIn = smsOptIn
            self.timeZone = timeZone
        }
    }

    /// `session`: the client's own web session, when the client makes the change. One opened from an e-mail link
    /// may read and pay, not change how the account is reached (phone, SMS consent): `PasswordConfirmationRequired`.
    public func callAsFunction(
        clientID: Int64, _ input: Input, source: ConsentSource, actor: Actor, session: WebSession? = nil
    ) async throws -> Client {
        if session?.fromMail == true { throw PasswordConfirmationRequired() }
        var errors = FieldErrors()
        let (phone, language, zone) = ContactInput.parse(
            phone: input.phone, language: input.language, smsOptIn: input.smsOptIn, timeZone: input.timeZone,
            into: &errors)
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        let now = deps.clock.now()
        let (newPhone, newZone) = (phone, zone)
        return try await deps.store.write { tx in
            guard let before = try await tx.client(id: clientID) else { throw UseCaseError.notFound("client") }
            try await tx.updateContact(clientID: clientID, phone: newPhone, language: language!, timeZone: newZone)
            if before.sms.optedIn != input.smsOptIn {
                try await tx.recordConsent(
                    clientID: clientID, consent: SmsConsent(optedIn: input.smsOptIn, changedAt: now, source: source))
            }
            let after = try await tx.client(id: clientID)!
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "client.details_changed", entity: "client", entityID: clientID,
                    before: auditJSON(ContactSnapshot(before)), after: auditJSON(ContactSnapshot(after)), at: now))
            return after
        }
    }

    struct ContactSnapshot: Encodable {
        let phone: String?, language: String, smsOptIn: Bool, timeZone: String?
        init(_ c: Client) {
            phone = c.phone?.e164
            language = c.language.rawValue
            smsOptIn = c.sms.optedIn
            timeZone = c.timeZone?.identifier
        }
    }
}
