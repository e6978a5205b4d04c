import Bootstrap
import Domain
import Features
import Foundation
import HTTPTypes
import HummingbirdTesting
import Storage
import TestSupport
import Testing

@testable import Web

/// Counts password checks and makes each one slow, as bcrypt is (≈200 ms at cost 12): attempts that overlap must
/// still stop at the lock-out limit.
private actor Calls {
    var count = 0
    func add() { count += 1 }
}

private struct SlowCountingHasher: PasswordHasher {
    let calls: Calls
    func hash(_ password: String) async throws -> String { "plain:" + password }
    func verify(_ password: String, against hash: String) async throws -> Bool {
        await calls.add()
        try await Task.sleep(for: .milliseconds(50))
        return hash == "plain:" + password
    }
}

@Suite("Security hardening: lock-outs that hold, second factor guessing, redirects", .serialized)
struct SecurityHardeningTests {
    /// 40 wrong passwords at once for one account (from 40 addresses): the attempt is reserved before the hash is
    /// checked, so at most the account's limit (5) are ever checked; the rest are refused as locked.
    @Test(arguments: [DatabaseKind.sqlite, .postgres])
    func fortyParallelGuessesAreAtMostFiveChecks(kind: DatabaseKind) async throws {
        let db = try await TestDatabase.open(kind)
        let base = makeTestDependencies(database: db, clock: ManualClock(TestDates.start))
        let calls = Calls()
        let deps = base.with(passwords: SlowCountingHasher(calls: calls))
        _ = try await Fixtures(deps).client("ana@example.ro")
        let identity = try LiveServices(config: try await AppConfig.load(environment: [:]), deps: deps, database: db)
            .identity
        let refusals = try await withThrowingTaskGroup(of: LoginRefusal?.self) { group in
            for i in 0..<40 {
                group.addTask {
                    if case .refused(let why) = try await LogIn(identity)(
                        realm: .client, email: "ana@example.ro", password: "guess \(i)", ip: "198.51.100.\(i)")
                    {
                        return why
                    }
                    return nil
                }
            }
            return try await group.reduce(into: [LoginRefusal?]()) { $0.append($1) }
        }
        #expect(await calls.count <= 5)
        #expect(refusals.filter { $0 == .wrongCredentials }.count <= 5)
        #expect(refusals.filter { $0 == .locked }.count >= 35)
        // The right password is refused too while the account is locked.
        if case .refused(let why) = try await LogIn(identity)(
            realm: .client, email: "ana@example.ro", password: "correct horse battery", ip: "203.0.113.9")
        {
            #expect(why == .locked)
        } else {
            Issue.record("a locked account logged in")
        }
        await db.close()
    }

    /// Someone with the password loops "password, 4 wrong codes": a correct password no longer clears the code
    /// failures, so the second factor locks after 5 wrong codes, and then even the right code is refused.
    @Test func secondFactorGuessesLockEvenAfterCorrectPasswords() async throws {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        let identity = try LiveServices(config: h.config, deps: h.deps, database: h.db).identity
        let (_, session) = try await identity.startSession(clientID: ana.id)
        let pending = try await SetUpSecondFactor(identity).begin(session)
        _ = try await SetUpSecondFactor(identity).confirm(
            session, code: h.totpCode(secretBase32: pending.secretBase32), password: "correct horse battery")
        h.clock.advance(seconds: 60)
        let right = h.totpCode(secretBase32: pending.secretBase32)
        let wrong = right == "123456" ? "654321" : "123456"
        var outcomes: [LoginRefusal] = []
        for _ in 0..<3 {
            guard
                case .session(_, let half) = try await LogIn(identity)(
                    realm: .client, email: "ana@example.ro", password: "correct horse battery", ip: "198.51.100.7")
            else {
                Issue.record("the password step refused the right password")
                break
            }
            for _ in 0..<4 {
                if case .refused(let why) = try await VerifySecondFactor(identity)(
                    half, code: wrong, ip: "198.51.100.7")
                {
                    outcomes.append(why)
                }
            }
        }
        #expect(outcomes.prefix(5) == [.wrongCode, .wrongCode, .wrongCode, .wrongCode, .wrongCode])
        #expect(outcomes.dropFirst(5).allSatisfy { $0 == .locked })
        // Locked: the right code is refused as well until the window passes.
        guard
            case .session(_, let half) = try await LogIn(identity)(
                realm: .client, email: "ana@example.ro", password: "correct horse battery", ip: "198.51.100.7")
        else { return }
        if case .refused(let why) = try await VerifySecondFactor(identity)(half, code: right, ip: "198.51.100.7") {
            #expect(why == .locked)
        } else {
            Issue.record("the locked second factor accepted a code")
        }
        await h.db.close()
    }

    /// A return path after logging in must stay on this site, however it is spelt.
    @Test(arguments: [
        "/\t/evil.example", "/\n/evil.example", "/\\evil.example", "//evil.example", "/ /evil.example",
        "https://evil.example", "/é",
    ])
    func aReturnPathThatWouldLeaveTheSiteIsIgnored(_ path: String) async throws {
        #expect(WebAreas.safeReturn(path) == nil)
    }

    @Test func theLoginFormNeverRedirectsOffTheSite() async throws {
        let h = try await WebHarness.make()
        _ = try await h.fixtures.client("ana@example.ro", language: "en")
        try await h.run { c in
            let b = Browser(c)
            let page = try await b.get("/login")
            #expect(page.status == .ok)
            let answer = try await b.post(
                "/login",
                [("email", "ana@example.ro"), ("password", "correct horse battery"), ("return_to", "/\t/evil.example")])
            #expect(answer.location == "/services")
            // Logged in: /login?next=… sends the browser on, but only to a path of this site.
            #expect(try await b.get("/login?next=%2F%09%2Fevil.example").location == "/services")
            #expect(try await b.get("/login?next=%2Finvoices%3Fpage%3D2").location == "/invoices?page=2")
        }
    }

    /// The pages behind a login are registered on a group that checks the session first: a visitor (or a client on
    /// a staff page) is sent to that area's login and back, whatever the page or the method, and nothing runs.
    @Test func everyPageBehindALoginSendsAVisitorToIt() async throws {
        let h = try await WebHarness.make()
        _ = try await h.fixtures.client("ana@example.ro", language: "en")
        let client = [
            "/services", "/services/1/plan", "/services/1/cancel", "/order", "/invoices", "/invoices/proforma/1",
            "/invoices/proforma/1/pdf", "/invoices/proforma/1/billing-data", "/invoices/fiscal/1",
            "/invoices/fiscal/1/pdf", "/details", "/details/profiles/new", "/details/profiles/1",
        ]
        let clientPosts = [
            "/order", "/order/review", "/services/1/cancel", "/services/1/plan", "/invoices/proforma/1/pay",
            "/invoices/proforma/1/billing-data", "/details", "/details/profiles/1/default",
        ]
        let staff = [
            "/staff", "/staff/audit", "/staff/api-keys", "/staff/clients/1", "/staff/proformas/1",
            "/staff/fiscal-invoices/1", "/staff/plans", "/staff/efactura",
        ]
        let staffPosts = ["/staff/proformas/1/cancel", "/staff/services/1/suspend", "/staff/plans", "/staff/api-keys"]
        @Sendable func escaped(_ path: String) -> String {
            path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? path
        }
        try await h.run { c in
            let visitor = Browser(c)
            for path in client {
                let page = try await visitor.get(path)
                #expect(
                    page.location == "/login?next=\(escaped(path))", "\(path) \(page.status) \(page.location ?? "")")
            }
            for path in clientPosts {
                #expect(try await visitor.post(path, []).location?.hasPrefix("/login") == true, "POST \(path)")
            }
            let ana = Browser(c)
            _ = try await ana.get("/login")
            _ = try await ana.post("/login", [("email", "ana@example.ro"), ("password", "correct horse battery")])
            #expect(try await ana.get("/services").status == .ok)
            for path in staff {
                let page = try await visitor.get(path)
                #expect(
                    page.location == "/staff/login?next=\(escaped(path))",
                    "\(path) \(page.status) \(page.location ?? "")")
                #expect(try await ana.get(path).location?.hasPrefix("/staff/login") == true, "a client on \(path)")
            }
            for path in staffPosts {
                #expect(try await ana.post(path, []).location?.hasPrefix("/staff/login") == true, "POST \(path)")
            }
        }
    }
}

@Suite("Password reset links: only the newest works, and a password change ends them")
struct ResetLinkTests {
    func resetToken(_ b: Browser, _ h: WebHarness) async throws -> String {
        try await b.get("/forgot-password")
        try await b.post("/forgot-password", [("email", "ana@example.ro")])
        let link = try h.link("/reset-password?token=", in: try h.lastEmail())
        return String(link.split(separator: "=").last!)
    }

    @Test func anOlderLinkStopsWorkingWhenANewOneIsSent() async throws {
        let h = try await WebHarness.make()
        _ = try await h.fixtures.client("ana@example.ro", language: "en")
        try await h.run { c in
            let b = Browser(c)
            let first = try await resetToken(b, h)
            let second = try await resetToken(b, h)
            #expect(first != second)
            try await b.get("/reset-password?token=\(first)")
            #expect(
                try await b.post("/reset-password", [("token", first), ("password", "a brand new password")]).status
                    == .gone)
            try await b.get("/reset-password?token=\(second)")
            #expect(
                try await b.post("/reset-password", [("token", second), ("password", "a brand new password")]).status
                    == .ok)
        }
    }

    /// Staff passwords have 12 to 72 bytes when the account is made, and keep that length when it is changed (the
    /// Security page applied the clients' 10 to staff).
    @Test func aStaffPasswordChangeKeepsTheStaffLength() async throws {
        let h = try await WebHarness.make()
        _ = try await CreateStaff(h.deps)(email: "ops@hostico.ro", name: "Ops", password: "staff password 1")
        try await h.run { c in
            let staff = Browser(c)
            try await staff.logInStaffSettingUp2FA("ops@hostico.ro", "staff password 1", h)
            try await staff.get("/staff/security")
            let short = try await staff.post(
                "/staff/security/password", [("currentPassword", "staff password 1"), ("newPassword", "eleven char")])
            #expect(
                short.status == .unprocessableContent
                    && short.body.visibleText.contains(
                        "Staff passwords have 12 to 72 characters (accented letters count twice).")
            )
            let long = try await staff.post(
                "/staff/security/password", [("currentPassword", "staff password 1"), ("newPassword", "twelve chars")])
            #expect(long.status == .seeOther)
        }
        #expect(PasswordPolicy.check("eleven char", for: .staff)?.rule == "password.length")
        #expect(PasswordPolicy.check("eleven char") == nil)
    }

    @Test func aPasswordChangeEndsTheResetLinks() async throws {
        let h = try await WebHarness.make()
        _ = try await h.fixtures.client("ana@example.ro", language: "en")
        try await h.run { c in
            let stranger = Browser(c)
            let token = try await resetToken(stranger, h)
            let ana = Browser(c)
            try await ana.logIn("ana@example.ro", "correct horse battery")
            try await ana.get("/security")
            let changed = try await ana.post(
                "/security/password",
                [("currentPassword", "correct horse battery"), ("newPassword", "another long password")])
            #expect(changed.status == .seeOther)
            try await stranger.get("/reset-password?token=\(token)")
            #expect(
                try await stranger.post("/reset-password", [("token", token), ("password", "the thief's password")])
                    .status == .gone)
            #expect(try await Browser(c).logIn("ana@example.ro", "another long password").location == "/services")
        }
    }
}

@Suite("Behind a reverse proxy, and over https")
struct ProxyAndTransportTests {
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    /// Issue 18.4: every visitor looked like the proxy, so 30 bad logins locked everyone out.
    @Test func limitsAndTheAuditSeeTheClientBehindATrustedProxy() async throws {
        let h = try await WebHarness.make(environment: ["TRUSTED_PROXIES": "127.0.0.1/32, ::1"])
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        try await h.runLive { c in
            let attacker = Browser(c)
            // The attacker's own "X-Forwarded-For: 192.0.2.1" is the left-most hop: only the proxy's right-most one counts.
            attacker.extraHeaders[Self.forwardedFor] = "192.0.2.1, 203.0.113.9"
            for i in 0..<31 {
                try await attacker.get("/login")
                try await attacker.post(
                    "/login", [("email", "nobody\(i)@example.ro"), ("password", "wrong password here")])
            }
            try await attacker.get("/login")
            #expect(
                try await attacker.post("/login", [("email", "ana@example.ro"), ("password", "correct horse battery")])
                    .status == .tooManyRequests)
            let ana2 = Browser(c)
            ana2.extraHeaders[Self.forwardedFor] = "198.51.100.20"
            #expect(try await ana2.logIn("ana@example.ro", "correct horse battery").location == "/services")
            let audit = try await h.deps.store.read { r in try await r.audit(clientID: ana.id, limit: 50) }
            #expect(audit.contains { $0.action == "login.succeeded" && $0.after?.contains("198.51.100.20") == true })
        }
    }

    @Test func withoutTrustedProxiesTheForwardedHeaderIsIgnored() async throws {
        let h = try await WebHarness.make()
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        try await h.runLive { c in
            let b = Browser(c)
            b.extraHeaders[Self.forwardedFor] = "198.51.100.20"
            let page = try await b.logIn("ana@example.ro", "correct horse battery")
            #expect(page.location == "/services")
            let audit = try await h.deps.store.read { r in try await r.audit(clientID: ana.id, limit: 50) }
            let login = try #require(audit.first { $0.action == "login.succeeded" })
            #expect(login.after?.contains("198.51.100.20") == false && login.after?.contains("127.0.0.1") == true)
        }
    }

    /// Issue 18.6: over https the session cookie is `__Host-` (Secure, Path=/, no Domain) and every answer says HSTS.
    @Test func httpsGivesHostCookiesAndHSTS() async throws {
        let h = try await WebHarness.make()
        _ = try await h.fixtures.client("ana@example.ro", language: "en")
        try await h.run { c in
            let b = Browser(c)
            let page = try await b.get("/login")
            #expect(page.headers[.strictTransportSecurity] == "max-age=31536000")
            try await b.logIn("ana@example.ro", "correct horse battery")
            let cookie = try #require(b.lastSetCookies.first { $0.hasPrefix("__Host-hostico_session=") })
            #expect(cookie.contains("; Secure") && cookie.contains("Path=/") && !cookie.contains("Domain"))
            #expect(try await b.get("/services").status == .ok)
        }
        let plain = try await WebHarness.make(environment: ["PUBLIC_BASE_URL": "http://127.0.0.1:8080"])
        try await plain.run { c in
            let page = try await Browser(c).get("/login")
            let hsts = page.headers[.strictTransportSecurity]
            #expect(hsts == nil)
            #expect(page.headers[values: .setCookie].allSatisfy { !$0.hasPrefix("__Host-") && !$0.contains("Secure") })
        }
    }
}

/// Issue 18.5: a flood of sign-ups cannot starve logins and pages.
@Suite("Password hashing under load: its own threads, logins first, sign-ups and resets throttled per address")
struct PasswordHashingLoadTests {
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func add(_ item: String) { lock.withLock { items.append(item) } }
        var all: [String] { lock.withLock { items } }
    }

    func waitUntil(_ condition: () async -> Bool) async throws {
        for _ in 0..<500 where !(await condition()) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await condition())
    }

    func signUp(_ c: any TestClientProtocol, _ email: String) async throws -> Browser.Page {
        let b = Browser(c)
        try await b.get("/signup")
        return try await b.post("/signup", ClientAreaTests.signup.map { $0.0 == "email" ? ($0.0, email) : $0 })
    }

    @Test func passwordChecksGoBeforeNewHashesAndWaitingHashesAreBounded() async throws {
        let pool = PasswordHashingPool(threads: 1, maxWaitingHashes: 2)
        let log = Log()
        let release = DispatchSemaphore(value: 0)
        let blocker = Task {
            try await pool.run(urgent: false) {
                release.wait()
                log.add("first hash")
            }
        }
        try await waitUntil { await pool.load().free == 0 }
        let hash1 = Task { try await pool.run(urgent: false) { log.add("hash 1") } }
        try await waitUntil { await pool.load().routine == 1 }
        let hash2 = Task { try await pool.run(urgent: false) { log.add("hash 2") } }
        try await waitUntil { await pool.load().routine == 2 }
        // A third new hash is refused at once rather than queued behind the others.
        await #expect(throws: PasswordHashingBusy.self) { try await pool.run(urgent: false) { log.add("refused") } }
        let check = Task { try await pool.run(urgent: true) { log.add("login check") } }
        try await waitUntil { await pool.load().urgent == 1 }
        release.signal()
        _ = try await (blocker.value, hash1.value, hash2.value, check.value)
        #expect(log.all == ["first hash", "login check", "hash 1", "hash 2"])
        #expect(await pool.load().free == 1)
    }

    /// SQLite's queries run on NIO's shared thread pool; bcrypt used to run there too, so hashes in flight held up
    /// every page. With threads of its own, a query answers while every hashing thread is held.
    @Test func theDatabaseAnswersWhileEveryHashingThreadIsHeld() async throws {
        // The pool `BcryptPasswordHasher` uses unless told otherwise.
        let pool = PasswordHashingPool.shared
        let threads = pool.threadCount
        let db = try await TestDatabase.open(.sqlite)
        let release = DispatchSemaphore(value: 0)
        let held = (0..<threads).map { _ in Task { try await pool.run(urgent: false) { release.wait() } } }
        try await waitUntil { await pool.load().free == 0 }
        let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = try await db.withReader { sql in try await sql.raw("SELECT COUNT(*) AS n FROM clients").all() }
                return true
            }
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                return false
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
        for _ in 0..<threads { release.signal() }
        for h in held { try await h.value }
        #expect(answered)
        await db.close()
    }

    @Test func signUpsPerAddressAreLimitedAndAFormWithAMistakeDoesNotCount() async throws {
        let h = try await WebHarness.make()
        try await h.run { c in
            let typo = try await signUp(c, "not-an-email")
            #expect(typo.status == .unprocessableContent)
            for i in 1...10 {
                #expect(try await signUp(c, "user\(i)@example.ro").status == .seeOther, "sign-up \(i)")
            }
            let refused = try await signUp(c, "user11@example.ro")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.body.visibleText.contains("Too many sign-ups from your address. Wait 15 minutes"))
            #expect(refused.body.contains("user11@example.ro"))
            #expect(
                try await h.deps.store.read { r in try await r.searchClients(query: nil, limit: 50, offset: 0) }.count
                    == 10)
            // The window passes.
            h.clock.advance(seconds: 15 * 60 + 1)
            #expect(try await signUp(c, "user11@example.ro").status == .seeOther)
        }
    }

    @Test func resetRequestsPerAddressAreLimitedWithTheSameAnswer() async throws {
        let h = try await WebHarness.make()
        _ = try await h.fixtures.client("ana@example.ro", language: "en")
        try await h.run { c in
            let b = Browser(c)
            for _ in 1...12 {
                try await b.get("/forgot-password")
                #expect(try await b.post("/forgot-password", [("email", "ana@example.ro")]).status == .ok)
            }
            #expect(try h.emails().count == 10)
        }
    }
}
