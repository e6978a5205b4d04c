import Domain
import Features
import Foundation
import SQLKit

extension SQLTransaction {
    func client(id: Int64) async throws -> Client? {
        try await row("SELECT * FROM clients WHERE id = \(bind: id)").map(decodeClient)
    }

    func client(email: EmailAddress) async throws -> (client: Client, passwordHash: String)? {
        guard let r = try await row("SELECT * FROM clients WHERE email = \(bind: email.value)") else { return nil }
        return (try decodeClient(r), try r.string("password_hash"))
    }

    private func decodeClient(_ r: any SQLRow) throws -> Client {
        let email = try EmailAddress.parse(try r.string("email"))
        let phone = try r.stringOrNil("phone").map { try PhoneNumber.parse($0) }
        let consent = SmsConsent(
            optedIn: try r.int("sms_opt_in") == 1, changedAt: try r.intOrNil("sms_consent_at").map { date(millis: $0) },
            source: try r.stringOrNil("sms_consent_source").flatMap(ConsentSource.init(rawValue:)))
        return Client(
            id: try r.int("id"), email: email, phone: phone, language: try r.enumValue("language", Language.self),
            sms: consent,
            timeZone: try r.stringOrNil("time_zone").flatMap { try? ClientTimeZone($0) },
            createdAt: date(millis: try r.int("created_at")))
    }

    func searchClients(query: String?, limit: Int, offset: Int) async throws -> [ClientSummary] {
        let q = (query ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let like = "%\(q.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: ""))%"
        // A fiscal number as printed, "hst2026-000042": series and number.
        let parts = q.split(separator: "-")
        let fiscal: (series: String, number: Int64)? =
            parts.count == 2 ? Int64(parts[1]).map { (String(parts[0]), $0) } : nil
        let rows = try await rows(
            """
            SELECT c.id, c.email, (SELECT name FROM billing_profiles b WHERE b.client_id = c.id ORDER BY is_default DESC, id LIMIT 1) AS name
            FROM clients c
            WHERE \(bind: q) = '' OR LOWER(c.email) LIKE \(bind: like)
               OR EXISTS (SELECT 1 FROM billing_profiles b WHERE b.client_id = c.id AND (LOWER(b.name) LIKE \(bind: like) OR b.cnp = \(bind: q) OR b.registration_code = \(bind: q) OR LOWER(b.vat_number) = \(bind: q)))
               OR EXISTS (SELECT 1 FROM proformas p WHERE p.client_id = c.id AND LOWER(p.number) = \(bind: q))
               OR EXISTS (SELECT 1 FROM fiscal_invoices f WHERE f.client_id = c.id AND LOWER(f.series) = \(bind: fiscal?.series ?? "") AND f.number = \(bind: fiscal?.number ?? 0))
            ORDER BY c.id LIMIT \(bind: Int64(limit)) OFFSET \(bind: Int64(offset))
            """)
        return try rows.map {
            ClientSummary(id: try $0.int("id"), email: try $0.string("email"), name: try $0.stringOrNil("name"))
        }
    }

    func billingProfiles(clientID: Int64) async throws -> [BillingProfile] {
        try await rows("SELECT * FROM billing_profiles WHERE client_id = \(bind: clientID) ORDER BY id").map(
            decodeProfile)
    }

    func defaultProfiles(clientIDs: [Int64]) async throws -> [Int64: BillingProfile] {
        guard !clientIDs.isEmpty else { return [:] }
        var result: [Int64: BillingProfile] = [:]
        // The default profile, else the oldest one: rows come default-first, then by id.
        for p in try await rows(
            "SELECT * FROM billing_profiles WHERE client_id IN (\(binds: clientIDs)) ORDER BY is_default DESC, id"
        ).map(decodeProfile) where result[p.clientID] == nil {
            result[p.clientID] = p
        }
        return result
    }

    func billingProfile(id: Int64) async throws -> BillingProfile? {
        try await row("SELECT * FROM billing_profiles WHERE id = \(bind: id)").map(decodeProfile)
    }

    private func decodeProfile(_ r: any SQLRow) throws -> BillingProfile {
        let address = PostalAddress(
            street: try r.string("street"), city: try r.string("city"), county: try r.stringOrNil("county"),
            postalCode: try r.stringOrNil("postal_code"), country: try r.string("country"))
        let party: BillingParty
        switch try r.enumValue("kind", BillingPartyKind.self) {
        case .person:
            party = .person(
                .init(
                    name: try r.string("name"), address: address,
                    cnp: try r.stringOrNil("cnp").map { try CNP.parse($0) }))
        case .legalEntity:
            party = .legalEntity(
                .init(
                    name: try r.string("name"), address: address,
                    registrationCode: try r.stringOrNil("registration_code"),
                    tradeRegisterNumber: try r.stringOrNil("trade_register"),
                    vatNumber: try r.stringOrNil("vat_number").map { try EUVATNumber.parse($0) }))
        }
        return BillingProfile(
            id: try r.int("id"), clientID: try r.int("client_id"), party: party, isDefault: try r.int("is_default") == 1
        )
    }

    func insert(client c: NewClient) async throws -> Int64 {
        try await insertReturningID(
            """
            INSERT INTO clients (email, password_hash, phone, language, sms_opt_in, sms_consent_at, sms_consent_source, time_zone, created_at)
            VALUES (\(bind: c.email.value), \(bind: c.passwordHash), \(bind: c.phone?.e164), \(bind: c.language.rawValue), \(bind: Int64(c.sms.optedIn ? 1 : 0)),
                    \(bind: c.sms.changedAt.map(millis)), \(bind: c.sms.source?.rawValue), \(bind: c.timeZone?.identifier), \(bind: millis(c.createdAt)))
            RETURNING id
            """, what: "client email")
    }

    func recordConsent(clientID: Int64, consent: SmsConsent) async throws {
        let at = millis(consent.changedAt ?? Date(timeIntervalSince1970: 0))
        try await run(
            "UPDATE clients SET sms_opt_in = \(bind: Int64(consent.optedIn ? 1 : 0)), sms_consent_at = \(bind: at), sms_consent_source = \(bind: consent.source?.rawValue) WHERE id = \(bind: clientID)"
        )
        try await run(
            "INSERT INTO sms_consents (client_id, opted_in, source, at) VALUES (\(bind: clientID), \(bind: Int64(consent.optedIn ? 1 : 0)), \(bind: consent.source?.rawValue ?? "unknown"), \(bind: at))"
        )
    }

    func insert(profile p: BillingParty, clientID: Int64, isDefault: Bool, at: Date) async throws -> Int64 {
        let f = ProfileColumns(p)
        let a = p.address
        let id = try await insertReturningID(
            """
            INSERT INTO billing_profiles (client_id, kind, name, street, city, county, postal_code, country, cnp, registration_code, trade_register, vat_number, is_default, created_at)
            VALUES (\(bind: clientID), \(bind: p.kind.rawValue), \(bind: p.name), \(bind: a.street), \(bind: a.city), \(bind: a.county), \(bind: a.postalCode), \(bind: a.country),
                    \(bind: f.cnp), \(bind: f.registration), \(bind: f.tradeRegister), \(bind: f.vat), 0, \(bind: millis(at)))
            RETURNING id
            """, what: "billing profile")
        if isDefault { try await setDefaultProfile(clientID: clientID, profileID: id) }
        return id
    }

    func updateContact(clientID: Int64, phone: PhoneNumber?, language: Language, timeZone: ClientTimeZone?) async throws
    {
        try await run(
            "UPDATE clients SET phone = \(bind: phone?.e164), language = \(bind: language.rawValue), time_zone = \(bind: timeZone?.identifier) WHERE id = \(bind: clientID)"
        )
    }

    func updateEmail(clientID: Int64, email: EmailAddress) async throws {
        try await run("UPDATE clients SET email = \(bind: email.value) WHERE id = \(bind: clientID)")
    }

    func update(profileID: Int64, party p: BillingParty) async throws {
        let f = ProfileColumns(p)
        let a = p.address
        try await run(
            """
            UPDATE billing_profiles SET kind = \(bind: p.kind.rawValue), name = \(bind: p.name), street = \(bind: a.street), city = \(bind: a.city), county = \(bind: a.county),
              postal_code = \(bind: a.postalCode), country = \(bind: a.country), cnp = \(bind: f.cnp), registration_code = \(bind: f.registration),
              trade_register = \(bind: f.tradeRegister), vat_number = \(bind: f.vat)
            WHERE id = \(bind: profileID)
            """)
    }

    func smsConsents(clientID: Int64) async throws -> [SmsConsent] {
        try await rows(
            "SELECT opted_in, source, at FROM sms_consents WHERE client_id = \(bind: clientID) ORDER BY at DESC, id DESC"
        ).map {
            SmsConsent(
                optedIn: try $0.int("opted_in") == 1, changedAt: date(millis: try $0.int("at")),
                source: ConsentSource(rawValue: try $0.string("source")))
        }
    }

    func setDefaultProfile(clientID: Int64, profileID: Int64) async throws {
        try await run(
            "UPDATE billing_profiles SET is_default = CASE WHEN id = \(bind: profileID) THEN 1 ELSE 0 END WHERE client_id = \(bind: clientID)"
        )
    }

    // MARK: Catalog

    func plan(id: Int64) async throws -> HostingPlan? {
        guard let r = try await row("SELECT * FROM plans WHERE id = \(bind: id)") else { return nil }
        return try await decodePlan(r)
    }

    func plans() async throws -> [HostingPlan] {
        var result: [HostingPlan] = []
        for r in try await rows("SELECT * FROM plans ORDER BY id") { result.append(try await decodePlan(r)) }
        return result
    }

    private func decodePlan(_ r: any SQLRow) async throws -> HostingPlan {
        let id = try r.int("id")
        var prices: [BillingCycle: Int64] = [:]
        for p in try await rows("SELECT cycle, amount_minor FROM plan_prices WHERE plan_id = \(bind: id)") {
            prices[try p.enumValue("cycle", BillingCycle.self)] = try p.int("amount_minor")
        }
        return HostingPlan(
            id: id, code: try r.string("code"), name: try r.string("name"),
            currency: try r.enumValue("currency", Currency.self), prices: prices,
            provisioner: try r.stringOrNil("provisioner"), retired: try r.intOrNil("retired_at") != nil,
            description: try r.stringOrNil("description") ?? "")
    }

    func insert(plan code: String, name: String, currency: Currency, prices: [BillingCycle: Int64], at: Date)
        async throws -> Int64
    {
        let id = try await insertReturningID(
            "INSERT INTO plans (code, name, currency, created_at) VALUES (\(bind: code), \(bind: name), \(bind: currency.rawValue), \(bind: millis(at))) RETURNING id",
            what: "plan code")
        for (cycle, amount) in prices.sorted(by: { $0.key.months < $1.key.months }) {
            try await run(
                "INSERT INTO plan_prices (plan_id, cycle, amount_minor) VALUES (\(bind: id), \(bind: cycle.rawValue), \(bind: amount))"
            )
        }
        return id
    }

    func update(planID: Int64, name: String, description: String, prices: [BillingCycle: Int64]) async throws {
        try await run(
            "UPDATE plans SET name = \(bind: name), description = \(bind: description) WHERE id = \(bind: planID)")
        try await run("DELETE FROM plan_prices WHERE plan_id = \(bind: planID)")
        for (cycle, amount) in prices.sorted(by: { $0.key.months < $1.key.months }) {
            try await run(
                "INSERT INTO plan_prices (plan_id, cycle, amount_minor) VALUES (\(bind: planID), \(bind: cycle.rawValue), \(bind: amount))"
            )
        }
    }

    func setRetired(planID: Int64, _ retired: Bool, at: Date) async throws {
        let stamp: Int64? = retired ? millis(at) : nil
        try await run("UPDATE plans SET retired_at = \(bind: stamp) WHERE id = \(bind: planID)")
    }

    func setProvisioner(planID: Int64, name: String?) async throws {
        try await run("UPDATE plans SET provisioner = \(bind: name) WHERE id = \(bind: planID)")
    }

    // MARK: Access

    func apiKey(hash: String) async throws -> APIKeyRecord? {
        try await row("SELECT * FROM api_keys WHERE key_hash = \(bind: hash)").map(apiKeyRecord)
    }

    func apiKeys() async throws -> [APIKeyRecord] {
        try await rows("SELECT * FROM api_keys ORDER BY id").map(apiKeyRecord)
    }

    private func apiKeyRecord(_ r: any SQLRow) throws -> APIKeyRecord {
        let scopes = Set(try r.string("scopes").split(separator: ",").compactMap { APIScope(rawValue: String($0)) })
        return APIKeyRecord(
            id: try r.int("id"), name: try r.string("name"), staffID: try r.intOrNil("staff_id"), scopes: scopes,
            createdAt: date(millis: try r.int("created_at")),
            expiresAt: try r.intOrNil("expires_at").map(date(millis:)),
            lastUsedAt: try r.intOrNil("last_used_at").map(date(millis:)),
            revokedAt: try r.intOrNil("revoked_at").map(date(millis:)))
    }

    func staff(email: EmailAddress) async throws -> StaffMember? {
        guard let r = try await row("SELECT * FROM staff WHERE email = \(bind: email.value)") else { return nil }
        return StaffMember(
            id: try r.int("id"), email: email, name: try r.string("name"), passwordHash: try r.string("password_hash"))
    }

    func staffNames() async throws -> [Int64: String] {
        Dictionary(
            try await rows("SELECT id, name FROM staff").map { (try $0.int("id"), try $0.string("name")) },
            uniquingKeysWith: { a, _ in a })
    }

    func insert(staff email: EmailAddress, name: String, passwordHash: String, at: Date) async throws -> Int64 {
        try await insertReturningID(
            "INSERT INTO staff (email, name, password_hash, created_at) VALUES (\(bind: email.value), \(bind: name), \(bind: passwordHash), \(bind: millis(at))) RETURNING id",
            what: "staff email")
    }

    func revokeAPIKey(id: Int64, at: Date) async throws -> Bool {
        let updated = try await rows(
            "UPDATE api_keys SET revoked_at = \(bind: millis(at)) WHERE id = \(bind: id) AND revoked_at IS NULL RETURNING id"
        )
        return !updated.isEmpty
    }

    func touchAPIKey(id: Int64, at: Date) async throws {
        try await run("UPDATE api_keys SET last_used_at = \(bind: millis(at)) WHERE id = \(bind: id)")
    }

    func insert(apiKey name: String, hash: String, staffID: Int64?, scopes: Set<APIScope>, expiresAt: Date?, at: Date)
        async throws -> Int64
    {
        try await insertReturningID(
            "INSERT INTO api_keys (name, key_hash, staff_id, created_at, scopes, expires_at) VALUES (\(bind: name), \(bind: hash), \(bind: staffID), \(bind: millis(at)), \(bind: APIScope.text(scopes)), \(bind: expiresAt.map(millis))) RETURNING id",
            what: "api key")
    }
}

/// The identifier columns of a billing profile row, by party kind.
struct ProfileColumns {
    var cnp: String?, registration: String?, tradeRegister: String?, vat: String?
    init(_ p: BillingParty) {
        switch p {
        case .person(let person): cnp = person.cnp?.value
        case .legalEntity(let e):
            registration = e.registrationCode
            tradeRegister = e.tradeRegisterNumber
            vat = e.vatNumber?.description
        }
    }
}
