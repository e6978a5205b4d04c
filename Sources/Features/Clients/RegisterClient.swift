import Domain
import Foundation

/// A new client account, typed: surfaces build it with `parse` from what was typed in sign-up or sent to the API,
/// which names every bad field at once.
public struct ClientRegistration: Sendable {
    public let email: EmailAddress
    /// Already checked against the client password policy; hashed by `RegisterClient`, never stored as is.
    public let password: String
    public let phone: PhoneNumber?
    public let language: Language
    /// Only with a mobile number (`parse` refuses otherwise).
    public let smsOptIn: Bool
    public let profile: BillingParty
    public let timeZone: ClientTimeZone?

    public static func parse(
        email: String, password: String, phone: String?, language: String, smsOptIn: Bool = false,
        profile: BillingPartyDraft, timeZone: String? = nil
    ) throws -> ClientRegistration {
        var errors = FieldErrors()
        let parsedEmail = errors.check { () throws(ValidationFailure) in try EmailAddress.parse(email) }
        if let failure = PasswordPolicy.check(password) { errors.add(contentsOf: [failure]) }
        let (parsedPhone, parsedLanguage, zone) = ContactInput.parse(
            phone: phone, language: language, smsOptIn: smsOptIn, timeZone: timeZone, into: &errors)
        let party = errors.check { () throws(ValidationFailure) in try profile.validated() }
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        return ClientRegistration(
            email: parsedEmail!, password: password, phone: parsedPhone, language: parsedLanguage!, smsOptIn: smsOptIn,
            profile: party!, timeZone: zone)
    }

    private init(
        email: EmailAddress, password: String, phone: PhoneNumber?, language: Language, smsOptIn: Bool,
        profile: BillingParty, timeZone: ClientTimeZone?
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
        if let admit, try await !admit() { throw SignUpLimited() }
        let hash = try await deps.passwords.hash(input.password)
        let now = deps.clock.now()
        let consent = SmsConsent(optedIn: input.smsOptIn, changedAt: now, source: source)
        do {
            return try await deps.store.write { tx in
                let id = try await tx.insert(
                    client: NewClient(
                        email: input.email, passwordHash: hash, phone: input.phone, language: input.language,
                        sms: consent, timeZone: input.timeZone, createdAt: now))
                try await tx.recordConsent(clientID: id, consent: consent)
                let profileID = try await tx.insert(profile: input.profile, clientID: id, isDefault: true, at: now)
                let who = actor ?? .client(id)
                try await tx.append(
                    AuditEntry(
                        actor: who, action: "client.registered", entity: "client", entityID: id, before: nil,
                        after: auditJSON([
                            "email": input.email.value, "smsOptIn": String(consent.optedIn), "source": source.rawValue,
                        ]), at: now))
                try await tx.append(
                    AuditEntry(
                        actor: who, action: "billing_profile.created", entity: "billing_profile", entityID: profileID,
                        before: nil, after: auditJSON(input.profile), at: now))
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
