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

    public init(email: String, password: String, phone: String?, language: String, smsOptIn: Bool = false, profile: BillingPartyDraft, timeZone: String? = nil) {
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
    public func callAsFunction(_ input: ClientRegistration, source: ConsentSource, actor: Actor? = nil,
                               admit: (@Sendable () async throws -> Bool)? = nil) async throws -> Client {
        var errors = FieldErrors()
        let email = errors.check { () throws(ValidationFailure) in try EmailAddress.parse(input.email) }
        if let failure = PasswordPolicy.check(input.password) { errors.add(contentsOf: [failure]) }
        let (phone, language, zone) = ContactInput.parse(phone: input.phone, language: input.language, smsOptIn: input.smsOptIn, timeZone: input.timeZone, into: &errors)
        let party = errors.check { () throws(ValidationFailure) in try input.profile.validated() }
        do { try errors.throwIfAny() } catch { throw BillingError.invalid(error) }
        let timeZone = zone

        let phoneNumber = phone
        if let admit, try await !admit() { throw SignUpLimited() }
        let hash = try await deps.passwords.hash(input.password)
        let now = deps.clock.now()
        let consent = input.smsOptIn ? SmsConsent(optedIn: true, changedAt: now, source: source) : SmsConsent(optedIn: false, changedAt: now, source: source)
        do {
            return try await deps.store.write { tx in
                let id = try await tx.insert(client: NewClient(email: email!, passwordHash: hash, phone: phoneNumber, language: language!, sms: consent, timeZone: timeZone, createdAt: now))
                try await tx.recordConsent(clientID: id, consent: consent)
                let profileID = try await tx.insert(profile: party!, clientID: id, isDefault: true, at: now)
                let who = actor ?? .client(id)
                try await tx.append(AuditEntry(actor: who, action: "client.registered", entity: "client", entityID: id, before: nil, after: auditJSON(["email": email!.value, "smsOptIn": String(consent.optedIn), "source": source.rawValue]), at: now))
                try await tx.append(AuditEntry(actor: who, action: "billing_profile.created", entity: "billing_profile", entityID: profileID, before: nil, after: auditJSON(party!), at: now))
                return try await tx.client(id: id)!
            }
        } catch StoreError.duplicate {
            throw BillingError.invalid(ValidationFailure(field: "email", rule: "email.taken", message: "An account with this e-mail already exists; log in or reset the password."))
        }
    }
}

/// The contact fields shared by sign-up and My Details, parsed the same way in both: an optional phone, the
/// language, SMS only with a valid mobile number, an optional IANA time zone.
enum ContactInput {
    static func parse(phone raw: String?, language rawLanguage: String, smsOptIn: Bool, timeZone rawZone: String?, into errors: inout FieldErrors)
        -> (PhoneNumber?, Language?, ClientTimeZone?) {
        var phone: PhoneNumber?
        if let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            phone = errors.check { () throws(ValidationFailure) in try PhoneNumber.parse(raw) }
        }
        let language = Language(rawValue: rawLanguage)
        if language == nil { errors.add("language", "language.enum", "Choose English, Romanian or Hindi.") }
        if smsOptIn, phone?.isMobile != true, errors.errors.allSatisfy({ $0.field != "phone" }) {
            errors.add("smsOptIn", "sms.needs-mobile", "SMS notifications need a valid mobile number.")
        }
        var zone: ClientTimeZone?
        if let rawZone, !rawZone.isEmpty { zone = errors.check { () throws(ValidationFailure) in try ClientTimeZone(rawZone) } }
        return (phone, language, zone)
    }
}

/// Adds another billing profile (a person or a company) to a client.
public struct AddBillingProfile: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(clientID: Int64, draft: BillingPartyDraft, makeDefault: Bool, actor: Actor) async throws -> BillingProfile {
        let party: BillingParty
        do { party = try draft.validated() } catch { throw BillingError.invalid(error) }
        let now = deps.clock.now()
        return try await deps.store.write { tx in
            guard try await tx.client(id: clientID) != nil else { throw BillingError.notFound("client") }
            let id = try await tx.insert(profile: party, clientID: clientID, isDefault: false, at: now)
            if makeDefault { try await tx.setDefaultProfile(clientID: clientID, profileID: id) }
            try await tx.append(AuditEntry(actor: actor, action: "billing_profile.created", entity: "billing_profile", entityID: id, before: nil, after: auditJSON(party), at: now))
            return try await tx.billingProfile(id: id)!
        }
    }
}

/// Adds a hosting plan to the catalog.
public struct CreateHostingPlan: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(code: String, name: String, currency: String, prices: [String: String], provisioner: String? = nil, actor: Actor) async throws -> HostingPlan {
        var errors = FieldErrors()
        let code = code.trimmingCharacters(in: .whitespaces).lowercased()
        if code.isEmpty || code.count > 40 || !code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
            errors.add("code", "code.format", "Use 1–40 lower-case letters, digits or dashes.")
        }
        let name = errors.text("name", name, limit: 200)
        if name.isEmpty { errors.add("name", "required", "The plan name is required.") }
        let cur = Currency(rawValue: currency)
        if cur == nil { errors.add("currency", "currency.enum", "Choose RON, EUR or USD.") }
        var parsed: [BillingCycle: Int64] = [:]
        for (key, value) in prices {
            guard let cycle = BillingCycle(rawValue: key) else { errors.add("prices.\(key)", "cycle.enum", "Unknown billing cycle."); continue }
            guard let minor = Money.parseMinor(value), minor > 0 else { errors.add("prices.\(key)", "amount.positive", "Give a positive amount with at most two decimals."); continue }
            parsed[cycle] = minor
        }
        if parsed.isEmpty && errors.isEmpty { errors.add("prices", "required", "Give a price for at least one billing cycle.") }
        if let p = provisioner, p.isEmpty || p.count > 40 || !p.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) {
            errors.add("provisioner", "provisioner.name", "Name a configured provisioner: lower-case letters, digits and dashes.")
        }
        do { try errors.throwIfAny() } catch { throw BillingError.invalid(error) }
        let now = deps.clock.now()
        let prices = parsed
        do {
            return try await deps.store.write { tx in
                let id = try await tx.insert(plan: code, name: name, currency: cur!, prices: prices, at: now)
                if let provisioner { try await tx.setProvisioner(planID: id, name: provisioner) }
                try await tx.append(AuditEntry(actor: actor, action: "plan.created", entity: "plan", entityID: id, before: nil, after: auditJSON(["code": code, "name": name]), at: now))
                return try await tx.plan(id: id)!
            }
        } catch StoreError.duplicate {
            throw BillingError.invalid(ValidationFailure(field: "code", rule: "code.taken", message: "A plan with this code exists."))
        }
    }
}

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

    public func callAsFunction(clientID: Int64, _ input: Input, source: ConsentSource, actor: Actor) async throws -> Client {
        var errors = FieldErrors()
        let (phone, language, zone) = ContactInput.parse(phone: input.phone, language: input.language, smsOptIn: input.smsOptIn, timeZone: input.timeZone, into: &errors)
        do { try errors.throwIfAny() } catch { throw BillingError.invalid(error) }
        let now = deps.clock.now()
        let (newPhone, newZone) = (phone, zone)
        return try await deps.store.write { tx in
            guard let before = try await tx.client(id: clientID) else { throw BillingError.notFound("client") }
            try await tx.updateContact(clientID: clientID, phone: newPhone, language: language!, timeZone: newZone)
            if before.sms.optedIn != input.smsOptIn {
                try await tx.recordConsent(clientID: clientID, consent: SmsConsent(optedIn: input.smsOptIn, changedAt: now, source: source))
            }
            let after = try await tx.client(id: clientID)!
            try await tx.append(AuditEntry(actor: actor, action: "client.details_changed", entity: "client", entityID: clientID,
                                           before: auditJSON(ContactSnapshot(before)), after: auditJSON(ContactSnapshot(after)), at: now))
            return after
        }
    }

    struct ContactSnapshot: Encodable {
        let phone: String?, language: String, smsOptIn: Bool, timeZone: String?
        init(_ c: Client) { phone = c.phone?.e164; language = c.language.rawValue; smsOptIn = c.sms.optedIn; timeZone = c.timeZone?.identifier }
    }
}

/// Changes a stored billing profile, or makes it the default. Invoices already issued keep the data they carry.
public struct UpdateBillingProfile: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(clientID: Int64, profileID: Int64, draft: BillingPartyDraft, actor: Actor) async throws -> BillingProfile {
        let party: BillingParty
        do { party = try draft.validated() } catch { throw BillingError.invalid(error) }
        let now = deps.clock.now()
        return try await deps.store.write { tx in
            guard let before = try await tx.billingProfile(id: profileID), before.clientID == clientID else { throw BillingError.notFound("billing profile") }
            try await tx.update(profileID: profileID, party: party)
            try await tx.append(AuditEntry(actor: actor, action: "billing_profile.changed", entity: "billing_profile", entityID: profileID, before: auditJSON(before.party), after: auditJSON(party), at: now))
            return try await tx.billingProfile(id: profileID)!
        }
    }

    public func makeDefault(clientID: Int64, profileID: Int64, actor: Actor) async throws {
        let now = deps.clock.now()
        try await deps.store.write { tx in
            guard let p = try await tx.billingProfile(id: profileID), p.clientID == clientID else { throw BillingError.notFound("billing profile") }
            try await tx.setDefaultProfile(clientID: clientID, profileID: profileID)
            try await tx.append(AuditEntry(actor: actor, action: "billing_profile.made_default", entity: "billing_profile", entityID: profileID, before: nil, after: nil, at: now))
        }
    }
}
