import Domain
import Foundation

/// Input of a new client account, as typed in sign-up or sent to the API.
public struct ClientRegistration: Sendable {
    public var email: String
    public var password: String
    public var phone: String?
    public var language: String
    public var smsOptIn: Bool
    public var profile: BillingPartyDraft
    public var timeZone: String?

    public init(
        email: String, password: String, phone: String?, language: String, smsOptIn: Bool = false,
        profile: BillingPartyDraft, timeZone: String? = nil
    ) {
        self.email = email
        self.password = password
        self.phone = phone
        self.language = language
        self.smsOptIn = smsOptIn
        self.profile = profile
        self.timeZone = timeZone
    }
}

/// This address has signed up `IdentitySettings.signUpIPLimit` times inside the window.
public struct SignUpLimited: Error, Sendable {
    public init() {}
}

/// Creates a client with a default billing profile. SMS stays off unless explicitly asked for.
public struct RegisterClient: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    /// `admit` runs once the input is valid and before the password is hashed (a sign-up throttle); false refuses
    /// the sign-up with `SignUpLimited`.
    public func callAsFunction(
        _ input: ClientRegistration, source: ConsentSource, actor: Actor? = nil,
        admit: (@Sendable () async throws -> Bool)? = nil
    ) async throws -> Client {
        var errors = FieldErrors()
        let email = errors.check { () throws(ValidationFailure) in try EmailAddress.parse(input.email) }
        if let failure = PasswordPolicy.check(input.password) { errors.add(contentsOf: [failure]) }
        let (phone, language, zone) = ContactInput.parse(
            phone: input.phone, language: input.language, smsOptIn: input.smsOptIn, timeZone: input.timeZone,
            into: &errors)
        let party = errors.check { () throws(ValidationFailure) in try input.profile.validated() }
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        let timeZone = zone

        let phoneNumber = phone
        if let admit, try await !admit() { throw SignUpLimited() }
        let hash = try await deps.passwords.hash(input.password)
        let now = deps.clock.now()
        let consent =
            input.smsOptIn
            ? SmsConsent(optedIn: true, changedAt: now, source: source)
            : SmsConsent(optedIn: false, changedAt: now, source: source)
        do {
            return try await deps.store.write { tx in
                let id = try await tx.insert(
                    client: NewClient(
                        email: email!, passwordHash: hash, phone: phoneNumber, language: language!, sms: consent,
                        timeZone: timeZone, createdAt: now))
                try await tx.recordConsent(clientID: id, consent: consent)
                let profileID = try await tx.insert(profile: party!, clientID: id, isDefault: true, at: now)
                let who = actor ?? .client(id)
                try await tx.append(
                    AuditEntry(
                        actor: who, action: "client.registered", entity: "client", entityID: id, before: nil,
                        after: auditJSON([
                            "email": email!.value, "smsOptIn": String(consent.optedIn), "source": source.rawValue,
                        ]), at: now))
                try await tx.append(
                    AuditEntry(
                        actor: who, action: "billing_profile.created", entity: "billing_profile", entityID: profileID,
                        before: nil, after: auditJSON(party!), at: now))
                return try await tx.client(id: id)!
            }
        } catch StoreError.duplicate {
            throw UseCaseError.invalid(
                ValidationFailure(
                    field: "email", rule: "email.taken",
                    message: "An account with this e-mail already exists; log in or reset the password."))
        }
    }
}
