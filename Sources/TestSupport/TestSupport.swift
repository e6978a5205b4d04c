import Bootstrap
import Domain
import Features
import Foundation
import Logging
import Storage

/// A fresh, migrated database per test: a temporary SQLite file, or a new database on the PostgreSQL
/// server named by `TEST_DATABASE_URL` (started by `make test`). A missing PostgreSQL fails the test:
/// a skipped peer would hide a broken code path.
public enum TestDatabase {
    public struct MissingPeer: Error, CustomStringConvertible {
        public var description: String {
            "TEST_DATABASE_URL is not set: run the tests with `make test`, which starts PostgreSQL"
        }
    }

    public static func open(_ kind: DatabaseKind, logger: Logger = Logger(label: "test")) async throws -> Database {
        let url = try await freshURL(kind, logger: logger)
        let db = try await Database.open(url: url, defaultSQLitePath: url, logger: logger)
        try await Migrator(db).migrate(now: Date(timeIntervalSince1970: 0))
        return db
    }

    /// A new, empty database: a SQLite file path, or a `postgres://` URL of a database just created.
    public static func freshURL(_ kind: DatabaseKind, logger: Logger = Logger(label: "test")) async throws -> String {
        switch kind {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hostico-tests")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            return dir.appendingPathComponent("\(UUID().uuidString).sqlite").path
        case .postgres:
            guard let admin = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] else { throw MissingPeer() }
            let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            let adminDB = try await Database.open(url: admin, defaultSQLitePath: "", logger: logger)
            try await adminDB.withReader { sql in try await sql.raw("CREATE DATABASE \(unsafeRaw: String(name))").run()
            }
            await adminDB.close()
            var c = URLComponents(string: admin)!
            c.path = "/\(name)"
            return c.string!
        }
    }
}

/// Fast stand-in for bcrypt inside tests: real hashing is tested once, not in every fixture.
public struct PlainPasswordHasher: PasswordHasher {
    public init() {}
    public func hash(_ password: String) async throws -> String { "plain:" + password }
    public func verify(_ password: String, against hash: String) async throws -> Bool { hash == "plain:" + password }
}

/// Deterministic bytes: a counter, so tokens differ but are predictable.
public final class CountingRandom: RandomSource, @unchecked Sendable {
    private let lock = NSLock()
    private var counter: UInt8 = 0
    public init() {}
    public func bytes(_ count: Int) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        counter &+= 1
        return (0..<count).map { UInt8(truncatingIfNeeded: Int($0) &+ Int(counter)) }
    }
}

public enum TestDates {
    /// 2026-01-15 10:00 Europe/Bucharest (08:00 UTC).
    public static let start = Date(timeIntervalSince1970: 1_768_464_000)
}

public func makeTestDependencies(
    database: Database, clock: ManualClock, policy: BillingPolicy = BillingPolicy(), vat: VatRules = VatRules()
) -> AppDependencies {
    AppDependencies(
        store: SQLStore(database: database), clock: clock, random: CountingRandom(), passwords: PlainPasswordHasher(),
        digest: SHA256Digest(),
        vat: vat, policy: policy, numbering: NumberingSettings(proformaPrefix: "PF", fiscalPrefix: "HST"),
        seller: Seller(
            name: "Hostico Test SRL", cui: "18547290", vatNumber: "RO18547290", tradeRegisterNumber: "J40/1234/2015",
            shareCapital: "200 RON",
            address: PostalAddress(
                street: "Str. Exemplu 1", city: "SECTOR3", county: "B", postalCode: "030001", country: "RO"),
            iban: "RO49AAAA1B31007593840000", bank: "Banca Test"),
        timeZone: TimeZone(identifier: "Europe/Bucharest")!, logger: Logger(label: "test"))
}

/// Ready-made clients and plans for scenarios.
public struct Fixtures: Sendable {
    public let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public static let romanianPerson = BillingPartyDraft(
        kind: "person", name: "Ana Popescu", street: "Str. Memorandumului 10", city: "Cluj-Napoca", county: "CJ",
        country: "RO", cnp: "2700116065277")
    public static let romanianCompany = BillingPartyDraft(
        kind: "legal_entity", name: "Țuțea Design SRL", street: "Bd. Unirii 5", city: "SECTOR3", county: "B",
        country: "RO", cui: "18547290", tradeRegisterNumber: "J40/1234/2015", vatNumber: "RO18547290")
    public static let germanCompany = BillingPartyDraft(
        kind: "legal_entity", name: "Müller Web GmbH", street: "Hauptstraße 1", city: "Berlin", country: "DE",
        vatNumber: "DE123456789")

    @discardableResult
    public func client(
        _ email: String, _ party: BillingPartyDraft = Fixtures.romanianPerson, sms: Bool = false,
        phone: String = "0722123456", language: String = "ro", timeZone: String? = nil
    ) async throws -> Client {
        try await RegisterClient(deps)(
            try ClientRegistration.parse(
                email: email, password: "correct horse battery", phone: phone, language: language, smsOptIn: sms,
                profile: party, timeZone: timeZone), source: .signup)
    }

    public func plan(_ code: String = "start", currency: String = "RON", monthly: String = "100.00") async throws
        -> HostingPlan
    {
        try await CreateHostingPlan(deps)(
            code: code, name: code.capitalized, currency: currency, prices: ["monthly": monthly, "annual": "1000.00"],
            actor: .system)
    }

    /// Orders and pays: an active service.
    public func activeService(client: Client, plan: HostingPlan, domain: String) async throws -> HostingService {
        let order = try await PlaceOrder(deps)(
            clientID: client.id, try .parse(planID: plan.id, cycle: "monthly", domain: domain), billingProfileID: nil,
            actor: .client(client.id))
        _ = try await pay(order.proforma)
        return try await deps.store.read { r in try await r.service(id: order.service.id, forUpdate: false)! }
    }

    public func pay(_ p: ProformaInvoice, amount: String? = nil, reference: String? = nil) async throws
        -> RecordPayment.Outcome
    {
        let input = try RecordPayment.Input.parse(
            amount: amount ?? p.totals.gross.decimalString, currency: p.currency.rawValue, method: "bank_transfer",
            receivedOn: nil,
            reference: reference, idempotencyKey: nil, today: deps.today())
        return try await RecordPayment(deps)(proformaID: p.id, input, actor: .staff(1))
    }
}

extension AppDependencies {
    /// The seller with the county left out of its address: CIUS-RO requires it (BR-RO-110/111), so ANAF rejects
    /// the invoices this seller issues.
    public var sellerWithoutCounty: Seller {
        let s = seller
        return Seller(
            name: s.name, cui: s.cui, vatNumber: s.vatNumber, tradeRegisterNumber: s.tradeRegisterNumber,
            shareCapital: s.shareCapital,
            address: PostalAddress(
                street: s.address.street, city: "Bucuresti", county: nil, postalCode: s.address.postalCode,
                country: "RO"), iban: s.iban, bank: s.bank)
    }
}
