import Bootstrap
import Domain
import Features
import Foundation
import Storage
import TestSupport
import Testing

/// A real nginx on 127.0.0.1 (Debian's), started by each test with its own configuration, sites folder and port.
final class Nginx: @unchecked Sendable {
    let dir: URL
    let port: Int
    let conf: String

    init() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") else {
            throw PeerProcess.MissingPeer(what: "nginx (apt nginx-light)")
        }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("nginx-\(UUID().uuidString.prefix(8))")
        for sub in ["sites", "www", "tmp"] {
            try FileManager.default.createDirectory(
                at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        port = try PeerProcess.freePort()
        conf = dir.appendingPathComponent("nginx.conf").path
        let d = dir.path
        try """
        pid \(d)/nginx.pid;
        error_log \(d)/error.log;
        worker_processes 1;
        events { worker_connections 64; }
        http {
            access_log off;
            client_body_temp_path \(d)/tmp; proxy_temp_path \(d)/tmp; fastcgi_temp_path \(d)/tmp; uwsgi_temp_path \(d)/tmp; scgi_temp_path \(d)/tmp;
            server { listen 127.0.0.1:\(port) default_server; return 404; }
            include \(d)/sites/*.conf;
        }
        """.write(toFile: conf, atomically: true, encoding: .utf8)
        // Started as nginx starts on a server: it daemonizes; stopped with `nginx -s stop`.
        guard try run(["-c", conf]) == 0 else { throw PeerProcess.MissingPeer(what: "nginx (see \(d)/error.log)") }
        for _ in 0..<100 {
            if await PeerProcess.accepts(port) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// posix_spawn and waitpid: Foundation's Process does not notice the exit of a program that daemonizes.
    private func run(_ arguments: [String]) throws -> Int32 {
        let argv = (["/usr/sbin/nginx"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/usr/sbin/nginx", nil, nil, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status >> 8) & 0xFF
    }

    /// The environment the nginx-vhost provisioner gets from configuration.
    var provisionerEnvironment: [String: String] {
        [
            "NGINX_SITES_DIR": dir.appendingPathComponent("sites").path,
            "NGINX_WWW_DIR": dir.appendingPathComponent("www").path,
            "NGINX_LISTEN": "127.0.0.1:\(port)", "NGINX_RELOAD": "/usr/sbin/nginx -c \(conf) -s reload",
            "SUPPORT_URL": "https://hostico.test/support",
        ]
    }

    /// What a visitor of `domain` gets; waits (up to 3 s) for a reload to take effect when `until` is given.
    func get(_ domain: String, until: ((Int, String) -> Bool)? = nil) throws -> (status: Int, body: String) {
        var last = (0, "")
        for _ in 0..<60 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            p.arguments = ["-s", "-H", "Host: \(domain)", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)/"]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            let status = Int(text.split(separator: "\n").last ?? "") ?? 0
            last = (status, text.split(separator: "\n").dropLast().joined(separator: "\n"))
            if until == nil || until!(last.0, last.1) { return last }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return last
    }

    func stop() { _ = try? run(["-c", conf, "-s", "stop"]) }
}

@Suite("Provisioning: the billing state reaches a real nginx", .serialized)
struct ProvisioningTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct World {
        let db: Database
        let clock: ManualClock
        let deps: AppDependencies
        let fixtures: Fixtures
        let provision: ProvisionServices
    }

    func world(_ kind: DatabaseKind, commands: [String: ProvisionerCommand]) async throws -> World {
        let db = try await TestDatabase.open(kind)
        let clock = ManualClock(TestDates.start)
        let deps = makeTestDependencies(database: db, clock: clock)
        let provision = ProvisionServices(
            deps: deps, queue: SQLProvisioningQueue(database: db), provisioner: CommandProvisioner(commands: commands),
            settings: ProvisioningSettings(
                retryBaseSeconds: 30, maxAttempts: 5, publicBaseURL: "https://client.hostico.test"))
        return World(db: db, clock: clock, deps: deps, fixtures: Fixtures(deps), provision: provision)
    }

    func plan(_ w: World, provisioner: String) async throws -> HostingPlan {
        try await CreateHostingPlan(w.deps)(
            code: "web-\(provisioner)", name: "Web", currency: "RON", prices: ["monthly": "100.00"],
            provisioner: provisioner, actor: .system)
    }

    @Test(arguments: DatabaseKind.allCases)
    func paymentsSuspensionsAndHoldsReachTheSite(kind: DatabaseKind) async throws {
        let nginx = try await Nginx()
        defer { nginx.stop() }
        let w = try await world(
            kind,
            commands: [
                "nginx": ProvisionerCommand(
                    executable: Self.root.appendingPathComponent("provisioners/nginx-vhost").path, timeoutSeconds: 20,
                    environment: nginx.provisionerEnvironment)
            ])
        defer { Task { await w.db.close() } }
        let plan = try await plan(w, provisioner: "nginx")
        let ana = try await w.fixtures.client("ana@example.ro")
        let order = try await PlaceOrder(w.deps)(
            clientID: ana.id, try .parse(planID: plan.id, cycle: "monthly", domain: "ana.ro"), billingProfileID: nil,
            actor: .client(ana.id))
        #expect(try await w.provision.runOnce() == .init(), "nothing is created before the order is paid")
        #expect(try nginx.get("ana.ro").status == 404)

        // Paid: the account exists and serves.
        _ = try await w.fixtures.pay(order.proforma)
        #expect(try await w.provision.runOnce().done == 1)
        var page = try nginx.get("ana.ro") { s, _ in s == 200 }
        #expect(page.status == 200 && page.body.contains("Welcome to ana.ro"))

        // Unpaid renewal past the grace period: the suspended page with a pay link.
        w.clock.advance(days: 20)
        let run = try await RunBilling(w.deps)(asOf: w.deps.today())
        #expect(run.proformasIssued == 1, "\(run)")
        w.clock.advance(days: 17)
        #expect(try await SuspendOverdueServices(w.deps)(asOf: w.deps.today()).done == 1)
        let renewal = try #require(
            try await w.deps.store.read { r in try await r.unpaidProformas(dueOnOrBefore: w.deps.today()) }.first)
        _ = try await w.provision.runOnce()
        page = try nginx.get("ana.ro") { s, _ in s == 503 }
        #expect(page.status == 503 && page.body.contains("invoice is unpaid"))
        #expect(page.body.contains("https://client.hostico.test/invoices/proforma/\(renewal)"))

        // Paid: back online.
        _ = try await w.fixtures.pay(
            try #require(try await w.deps.store.read { r in try await r.proforma(id: renewal, forUpdate: false) }))
        _ = try await w.provision.runOnce()
        page = try nginx.get("ana.ro") { s, _ in s == 200 }
        #expect(page.status == 200 && page.body.contains("Welcome to ana.ro"))

        // An unpaid renewal, then abuse on top: two holds; the abuse page wins. Paying lifts only non-payment.
        let service = try #require(
            try await w.deps.store.read { r in try await r.services(clientID: ana.id, forUpdate: false) }.first)
        w.clock.advance(days: 14)
        let again = try await RunBilling(w.deps)(asOf: w.deps.today())
        #expect(again.proformasIssued == 1, "\(again)")
        w.clock.advance(days: 20)
        #expect(try await SuspendOverdueServices(w.deps)(asOf: w.deps.today()).done == 1)
        _ = try await SuspendService(w.deps)(
            serviceID: service.id, reason: "abuse", note: "phishing kit", actor: .staff(1))
        _ = try await w.provision.runOnce()
        page = try nginx.get("ana.ro") { s, b in s == 503 && b.contains("abuse") }
        #expect(
            page.status == 503 && page.body.contains("abuse report")
                && page.body.contains("https://hostico.test/support"))
        let second = try #require(
            try await w.deps.store.read { r in try await r.unpaidProformas(dueOnOrBefore: w.deps.today()) }.first)
        _ = try await w.fixtures.pay(
            try #require(try await w.deps.store.read { r in try await r.proforma(id: second, forUpdate: false) }))
        _ = try await w.provision.runOnce()
        // (Read through the reload the refreshed suspension causes.)
        page = try nginx.get("ana.ro") { s, b in s == 503 && b.contains("abuse report") }
        #expect(page.status == 503 && page.body.contains("abuse report"), "an abuse hold survives payment")

        // Staff lift the abuse hold: online again; every job done, in order.
        _ = try await UnsuspendService(w.deps)(serviceID: service.id, holdID: nil, reason: "abuse", actor: .staff(1))
        _ = try await w.provision.runOnce()
        page = try nginx.get("ana.ro") { s, _ in s == 200 }
        #expect(page.status == 200)
        let jobs = try await w.deps.store.read { r in try await r.provisioningJobs(serviceID: service.id) }
        #expect(jobs.map(\.action) == [.create, .suspend, .unsuspend, .suspend, .suspend, .suspend, .unsuspend])
        #expect(jobs.allSatisfy { $0.status == .done })

        // Unpaid again and never paid: suspended, then terminated after 30 days; the site is gone from the server.
        w.clock.advance(days: 20)
        _ = try await RunBilling(w.deps)(asOf: w.deps.today())
        w.clock.advance(days: 20)
        #expect(try await SuspendOverdueServices(w.deps)(asOf: w.deps.today()).done == 1)
        w.clock.advance(days: 31)
        #expect(try await TerminateSuspendedServices(w.deps)(asOf: w.deps.today()).done == 1)
        _ = try await w.provision.runOnce()
        page = try nginx.get("ana.ro") { s, _ in s == 404 }
        #expect(page.status == 404, "the default server answers: no vhost for ana.ro any more")
        #expect(!FileManager.default.fileExists(atPath: nginx.dir.appendingPathComponent("www/ana.ro").path))
        #expect(
            try await w.deps.store.read { r in try await r.provisioningJobs(serviceID: service.id) }.suffix(2).map(
                \.action) == [.suspend, .terminate])
    }

    /// A provisioner script for the fault tests: behaves per MODE on its first run, succeeds afterwards.
    func flakyProvisioner(mode: String, timeout: Double) throws -> (ProvisionerCommand, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flaky-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let script = dir.appendingPathComponent("provision")
        try """
        #!/bin/sh
        cat > "$STATE.last-input"
        n=$(cat "$STATE" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$STATE"
        case "$MODE:$n" in
          tempfail:1) echo "control panel busy" >&2; exit 75;;
          hang:1) sleep 30;;
          fail:*) echo "disk quota exceeded" >&2; exit 2;;
        esac
        exit 0
        """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let state = dir.appendingPathComponent("count")
        return (
            ProvisionerCommand(
                executable: script.path, timeoutSeconds: timeout, environment: ["MODE": mode, "STATE": state.path]),
            state
        )
    }

    @Test(arguments: ["tempfail", "hang"])
    func aProvisionerThatFailsForAWhileOrHangsEndsInSync(mode: String) async throws {
        let (command, state) = try flakyProvisioner(mode: mode, timeout: 1)
        let w = try await world(.sqlite, commands: ["flaky": command])
        defer { Task { await w.db.close() } }
        let plan = try await plan(w, provisioner: "flaky")
        let ana = try await w.fixtures.client("ana@example.ro")
        let s = try await w.fixtures.activeService(client: ana, plan: plan, domain: "ana.ro")

        let started = ContinuousClock.now
        var report = try await w.provision.runOnce()
        #expect(report.retried == 1 && report.done == 0)
        if mode == "hang" {
            #expect(ContinuousClock.now - started < .seconds(5), "killed at its 1 s limit, not after 30 s")
        }
        var job = try #require(try await w.deps.store.read { r in try await r.provisioningJobs(serviceID: s.id) }.first)
        #expect(job.status == .queued && job.attempts == 1)
        #expect(job.lastError == (mode == "hang" ? "no answer within 1 s; stopped" : "control panel busy"))

        w.clock.advance(seconds: 29)
        #expect(try await w.provision.runOnce() == .init(), "the retry waits 30 s")
        w.clock.advance(seconds: 1)
        report = try await w.provision.runOnce()
        #expect(report.done == 1)
        job = try #require(try await w.deps.store.read { r in try await r.provisioningJobs(serviceID: s.id) }.first)
        #expect(job.status == .done && job.attempts == 2 && job.lastError == nil)
        #expect(try String(contentsOf: state, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == "2")
        // What the provisioner was given: JSON on standard input, the client data included.
        let input = try JSONDecoder().decode(
            ProvisioningInput.self, from: Data(contentsOf: URL(fileURLWithPath: state.path + ".last-input")))
        #expect(
            input.action == .create && input.service.domain == "ana.ro" && input.client.email == "ana@example.ro"
                && input.client.name == "Ana Popescu")
    }

    @Test func aFailedJobHoldsBackTheServicesLaterJobsUntilStaffAct() async throws {
        let (command, _) = try flakyProvisioner(mode: "fail", timeout: 5)
        let w = try await world(.sqlite, commands: ["flaky": command])
        defer { Task { await w.db.close() } }
        let plan = try await plan(w, provisioner: "flaky")
        let ana = try await w.fixtures.client("ana@example.ro")
        let s = try await w.fixtures.activeService(client: ana, plan: plan, domain: "ana.ro")
        #expect(try await w.provision.runOnce().failed == 1)
        _ = try await SuspendService(w.deps)(serviceID: s.id, reason: "abuse", note: nil, actor: .staff(1))
        #expect(try await w.provision.runOnce() == .init(), "the suspension waits behind the failed creation")
        var jobs = try await w.deps.store.read { r in try await r.provisioningJobs(serviceID: s.id) }
        #expect(jobs.map(\.status) == [.failed, .queued])
        #expect(jobs.first?.lastError == "exit status 2: disk quota exceeded")

        // Staff created the account by hand: the queue moves on (and this provisioner still fails).
        let resolve = ResolveFailedProvisioningJob(w.deps, queue: SQLProvisioningQueue(database: w.db))
        try await resolve(jobID: jobs[0].id, .doneByHand, actor: .staff(1))
        #expect(try await w.provision.runOnce().failed == 1)
        jobs = try await w.deps.store.read { r in try await r.provisioningJobs(serviceID: s.id) }
        #expect(jobs.map(\.status) == [.done, .failed])
        try await resolve(jobID: jobs[1].id, .retry, actor: .staff(1))
        await #expect(throws: UseCaseError.self, "only a failed job can be retried") {
            try await resolve(jobID: jobs[1].id, .retry, actor: .staff(1))
        }
        await #expect(throws: UseCaseError.self, "nor marked done") {
            try await resolve(jobID: jobs[0].id, .doneByHand, actor: .staff(1))
        }
        // Each change came with its audit entry, by whom and from which state.
        let audit = try await w.deps.store.read { r in try await r.newestAudit(limit: 20) }.filter {
            $0.entity == "provisioning_job"
        }
        #expect(audit.map(\.action).sorted() == ["provisioning.done-by-hand", "provisioning.retried"])
        #expect(audit.allSatisfy { $0.actor == Actor.staff(1).description && $0.before == "failed" })
    }
}
