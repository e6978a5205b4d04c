import ANAF
import AsyncHTTPClient
import Bootstrap
import Documents
import Domain
import Features
import Foundation
import Logging
import Storage
import TestSupport
import Testing
import ZIPFoundation

@Suite("e-Factura uploads to ANAF")
struct EFacturaUploadTests {
    /// The test key for sealing tokens (AES-256-GCM, as in production).
    static let box = AESGCMSecretBox(key: Array(repeating: 7, count: 32))

    struct World {
        let db: Database
        let clock: ManualClock
        let deps: AppDependencies
        let submit: SubmitEFactura
        let queue: SQLEFacturaQueue
    }

    func world(_ kind: DatabaseKind, _ peer: ANAFPeer) async throws -> World {
        let db = try await TestDatabase.open(kind)
        let clock = ManualClock(TestDates.start)
        let deps = makeTestDependencies(database: db, clock: clock)
        let queue = SQLEFacturaQueue(database: db)
        let submit = SubmitEFactura(
            deps: deps, queue: queue, gateway: ANAFEFacturaClient(settings: peer.settings()), box: Self.box,
            xml: { Array(EFactura.xml($0).utf8) })
        return World(db: db, clock: clock, deps: deps, submit: submit, queue: queue)
    }

    /// A paid order: one fiscal invoice to upload.
    func fiscalInvoice(_ deps: AppDependencies, _ email: String, plan: HostingPlan) async throws -> FiscalInvoice {
        let f = Fixtures(deps)
        let client = try await f.client(email)
        let order = try await PlaceOrder(deps)(
            clientID: client.id,
            try .parse(planID: plan.id, cycle: "monthly", domain: "\(email.prefix(while: { $0 != "@" })).example"),
            billingProfileID: nil, actor: .client(client.id))
        return try #require(try await f.pay(order.proforma).fiscalInvoice)
    }

    func submission(_ w: World, _ id: Int64) async throws -> EFacturaSubmission {
        try #require(try await w.deps.store.read { r in try await r.efacturaSubmission(fiscalInvoiceID: id) })
    }

    func connect(_ w: World, _ peer: ANAFPeer, staffID: Int64 = 1) async throws {
        let (code, state) = try await peer.authorize(try await w.submit.startAuthorization(staffID: staffID))
        try await w.submit.finishAuthorization(code: code, state: state, staffID: staffID)
    }

    @Test(arguments: DatabaseKind.allCases)
    func anInvoiceTheRulesAcceptEndsAcceptedWithTheSignedZIPAndOneTheyRefuseEndsRejectedWithANAFsErrors(
        _ kind: DatabaseKind
    ) async throws {
        let peer = try await ANAFPeer(processingPolls: 1)
        let w = try await world(kind, peer)
        let plan = try await Fixtures(w.deps).plan()
        let good = try await fiscalInvoice(w.deps, "ana@example.ro", plan: plan)
        // The same company with its county left out of the seller data: CIUS-RO requires it (BR-RO-110/111).
        let careless = w.deps.with(seller: w.deps.sellerWithoutCounty)
        let bad = try await fiscalInvoice(careless, "ion@example.ro", plan: plan)
        #expect(try await submission(w, good.id).state == .toUpload)

        // Not connected yet: nothing leaves.
        let idle = try await w.submit.runOnce()
        #expect(!idle.connected)
        #expect(try await peer.uploads().isEmpty)

        try await connect(w, peer)
        var report = try await w.submit.runOnce()
        #expect(report.uploaded == 2 && report.connected)
        let uploads = try await peer.uploads()
        #expect(uploads.map(\.number).sorted() == [good.displayNumber, bad.displayNumber].sorted())
        #expect(uploads.allSatisfy { $0.cif == "18547290" && $0.standard == "UBL" })
        let goodIndex = try #require(try await submission(w, good.id).uploadIndex)
        #expect(try await submission(w, good.id).state == .uploaded)
        #expect(goodIndex == uploads.first { $0.number == good.displayNumber }?.index)

        // The first status check waits a minute; ANAF is still processing then.
        #expect(try await w.submit.runOnce() == SubmitEFactura.Report())
        w.clock.advance(seconds: 61)
        report = try await w.submit.runOnce()
        #expect(report.waiting == 2)
        #expect(try await submission(w, good.id).state == .uploaded)

        w.clock.advance(seconds: 61)
        report = try await w.submit.runOnce()
        #expect(report.accepted == 1 && report.rejected == 1)

        let accepted = try await submission(w, good.id)
        #expect(accepted.state == .accepted && accepted.hasResponseFile && accepted.errors == nil)
        let zip = try #require(try await w.queue.responseFile(fiscalInvoiceID: good.id))
        let archive = try Archive(data: Data(zip), accessMode: .read)
        #expect(Set(archive.map(\.path)) == ["\(goodIndex).xml", "semnatura_\(goodIndex).xml"])
        var signedXML = Data()
        _ = try archive.extract(try #require(archive["\(goodIndex).xml"])) { signedXML.append($0) }
        #expect(String(decoding: signedXML, as: UTF8.self) == EFactura.xml(good))

        let rejected = try await submission(w, bad.id)
        #expect(rejected.state == .rejected && rejected.hasResponseFile)
        #expect(rejected.errors?.contains("BR-RO-1") == true, "\(rejected.errors ?? "")")
        let audit = try await w.deps.store.read { r in
            try await r.audit(entity: "fiscal_invoice", entityID: bad.id, limit: 10)
        }.map(\.action)
        #expect(audit.contains("efactura.uploaded") && audit.contains("efactura.rejected"))

        // Staff send it again: a new upload, judged again.
        #expect(try await w.submit.uploadAgain(fiscalInvoiceID: bad.id, by: 1))
        #expect(try await !w.submit.uploadAgain(fiscalInvoiceID: good.id, by: 1))
        report = try await w.submit.runOnce()
        #expect(report.uploaded == 1)
        #expect(try await peer.uploads().count == 3)
        await w.db.close()
    }

    @Test func aTemporaryFailureIsRetriedAndAnExpiredTokenIsRefreshedByAnyProcess() async throws {
        let peer = try await ANAFPeer(processingPolls: 0, tokenSeconds: 200_000)
        let w = try await world(.sqlite, peer)
        let plan = try await Fixtures(w.deps).plan()
        let invoice = try await fiscalInvoice(w.deps, "ana@example.ro", plan: plan)
        try await connect(w, peer)
        let connected = try #require(try await w.queue.credentials())
        #expect(connected.connectedBy == .staff(1) && connected.refreshedAt == nil)
        // Sealed at rest: no token in the database in clear.
        #expect(!connected.sealedAccessToken.isEmpty && (try? Self.box.open(connected.sealedAccessToken)) != nil)

        // ANAF answers 503: the invoice waits and is tried again a minute later.
        try await peer.hook("/_sim/fail?count=1&status=503")
        var report = try await w.submit.runOnce()
        #expect(report.failed == 1)
        var s = try await submission(w, invoice.id)
        #expect(s.state == .toUpload && s.attempts == 1 && s.lastError?.contains("HTTP 503") == true)
        #expect(try await w.submit.runOnce().failed == 0)

        // ANAF dropped every access token: the upload is refused once, the token refreshed, the upload repeated.
        try await peer.hook("/_sim/expire")
        w.clock.advance(seconds: 61)
        report = try await w.submit.runOnce()
        #expect(report.uploaded == 1)
        let refreshed = try #require(try await w.queue.credentials())
        #expect(refreshed.version == connected.version + 1 && refreshed.refreshedAt != nil)
        s = try await submission(w, invoice.id)
        #expect(s.state == .uploaded && s.lastError == nil && s.attempts == 0)

        // Close to expiry (within a day), a second process refreshes before asking; the first process's old
        // refresh token is dead at ANAF (tokens rotate) but the stored one is current.
        w.clock.advance(seconds: 200_000 - 86_400 + 10)
        let other = SubmitEFactura(
            deps: w.deps, queue: SQLEFacturaQueue(database: w.db),
            gateway: ANAFEFacturaClient(settings: peer.settings()), box: Self.box, xml: { Array(EFactura.xml($0).utf8) }
        )
        // ANAF's file comes without its signature once: it is not the legal original, so it is fetched again.
        try await peer.hook("/_sim/unsigned")
        report = try await other.runOnce()
        #expect(report.accepted == 0 && report.failed == 1)
        #expect(try await submission(w, invoice.id).lastError?.contains("has no signature") == true)
        w.clock.advance(seconds: 61)
        report = try await other.runOnce()
        #expect(report.accepted == 1)
        #expect(try await w.queue.credentials()?.version == refreshed.version + 1)
        #expect(try await submission(w, invoice.id).state == .accepted)
        await w.db.close()
    }

    @Test func aRefreshTokenANAFRefusesStopsUploadsUntilStaffConnectAgain() async throws {
        let peer = try await ANAFPeer(processingPolls: 0)
        let w = try await world(.sqlite, peer)
        let plan = try await Fixtures(w.deps).plan()
        let invoice = try await fiscalInvoice(w.deps, "ana@example.ro", plan: plan)
        let second = try await fiscalInvoice(w.deps, "bob@example.ro", plan: plan)
        try await connect(w, peer)
        try await peer.hook("/_sim/revoke")
        var report = try await w.submit.runOnce()
        #expect(!report.connected && report.uploaded == 0)
        #expect(try await submission(w, second.id).state == .toUpload)
        let refused = try #require(try await w.queue.credentials()?.refused)
        #expect(refused.reason.contains("invalid_grant"))
        #expect(try await submission(w, invoice.id).state == .toUpload)
        // Nothing is tried with the dead tokens, however often the worker runs.
        #expect(try await !w.submit.runOnce().connected)
        #expect(try await peer.uploads().isEmpty)

        try await connect(w, peer)
        #expect(try await w.queue.credentials()?.refused == nil)
        // Both at once: the pass that stopped gave back the invoice it had claimed but not reached (no lease to wait).
        report = try await w.submit.runOnce()
        #expect(report.uploaded == 2)
        await w.db.close()
    }

    @Test func theAuthorisationAnswerMustComeFromThisStaffMembersOwnRequestAndWorksOnce() async throws {
        let peer = try await ANAFPeer()
        let w = try await world(.sqlite, peer)
        let url = try await w.submit.startAuthorization(staffID: 1)
        #expect(
            url.hasPrefix(
                peer.base
                    + "/anaf-oauth2/v1/authorize?response_type=code&client_id=hostico-test-client&redirect_uri=https%3A%2F%2Fbilling.hostico.test"
            ))
        #expect(url.contains("token_content_type=jwt"))
        let (code, state) = try await peer.authorize(url)
        await #expect(throws: SubmitEFactura.ConnectError.unknownState) {
            try await w.submit.finishAuthorization(code: code, state: "forged", staffID: 1)
        }
        await #expect(throws: SubmitEFactura.ConnectError.unknownState) {
            try await w.submit.finishAuthorization(code: code, state: state, staffID: 2)
        }
        #expect(try await w.queue.credentials() == nil)

        let (code2, state2) = try await peer.authorize(try await w.submit.startAuthorization(staffID: 1))
        w.clock.advance(seconds: 601)
        await #expect(throws: SubmitEFactura.ConnectError.unknownState) {
            try await w.submit.finishAuthorization(code: code2, state: state2, staffID: 1)
        }

        let (code3, state3) = try await peer.authorize(try await w.submit.startAuthorization(staffID: 1))
        try await w.submit.finishAuthorization(code: code3, state: state3, staffID: 1)
        #expect(try await w.queue.credentials() != nil)
        // An authorisation code works once at ANAF too.
        let (_, state4) = try await peer.authorize(try await w.submit.startAuthorization(staffID: 1))
        await #expect(throws: EFacturaGatewayError.self) {
            try await w.submit.finishAuthorization(code: code3, state: state4, staffID: 1)
        }
        let audit = try await w.deps.store.read { r in try await r.audit(entity: "efactura", entityID: 0, limit: 10) }
        #expect(audit.map(\.action) == ["efactura.connected"] && audit.first?.actor == "staff:1")
        await w.db.close()
    }
}
