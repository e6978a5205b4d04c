import API
import Bootstrap
import Domain
import Features
import Foundation
import Hummingbird
import HummingbirdTesting
import Storage
import TestSupport
import Testing

@Suite("JSON API, in process on SQLite")
struct APITests {
    /// The API on a fresh SQLite database, with the clock the test moves.
    struct World {
        let db: Database
        let clock: ManualClock
        let deps: AppDependencies
        let app: Application<RouterResponder<AppRequestContext>>
    }

    func world() async throws -> World {
        let db = try await TestDatabase.open(.sqlite)
        let clock = ManualClock(TestDates.start)
        let deps = makeTestDependencies(database: db, clock: clock)
        let router = Router(context: AppRequestContext.self)
        BillingAPI(
            deps, messages: SQLMessageStore(database: db), provisioning: SQLProvisioningQueue(database: db),
            efactura: SQLEFacturaQueue(database: db)
        ).register(on: router)
        return World(db: db, clock: clock, deps: deps, app: Application(router: router))
    }

    func app() async throws -> (some ApplicationProtocol, String, Database) {
        let w = try await world()
        let (_, secret) = try await CreateAPIKey(w.deps)(name: "test", staffID: nil)
        return (w.app, secret, w.db)
    }

    func json(_ r: TestResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) as! [String: Any]
    }

    static let client =
        #"{"email":"ana@example.ro","password":"correct horse battery","phone":"0722123456","language":"ro","profile":{"kind":"person","name":"Ana Popescu","street":"Str. 1","city":"Cluj-Napoca","county":"CJ","country":"RO","cnp":"2700116065277"}}"#

    @Test func withoutAKeyEverythingIs401() async throws {
        let (app, _, db) = try await app()
        try await app.test(.router) { c in
            try await c.execute(uri: "/api/v1/clients", method: .get) { r in #expect(r.status == .unauthorized) }
            try await c.execute(uri: "/api/v1/clients", method: .get, headers: [.authorization: "Bearer hk_wrong"]) {
                r in #expect(r.status == .unauthorized)
            }
            try await c.execute(uri: "/api/openapi.json", method: .get) { r in
                #expect(r.status == .ok)
                let doc = try json(r)
                #expect(doc["openapi"] as? String == "3.1.0")
            }
        }
        await db.close()
    }

    /// Issue 19: an order of several plans, cancelling at period end and withdrawing it, terminating, the credit ledger.
    @Test func ordersOfSeveralPlansCancellationAndCreditThroughTheAPI() async throws {
        let w = try await world()
        let (_, key) = try await CreateAPIKey(w.deps)(name: "billing", staffID: nil)
        let f = Fixtures(w.deps)
        let plan = try await f.plan()
        let ana = try await f.client("ana@example.ro")
        let auth: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
        try await w.app.test(.router) { c in
            let body = """
                {"clientId": \(ana.id), "items": [{"planId": \(plan.id), "cycle": "monthly", "domain": "a.ro"},
                 {"planId": \(plan.id), "cycle": "annual", "domain": "b.ro"}]}
                """
            let (serviceID, proformaID, gross) = try await c.execute(
                uri: "/api/v1/orders", method: .post, headers: auth, body: ByteBuffer(string: body)
            ) { r in
                #expect(r.status == .created)
                let o = try json(r)
                let services = o["services"] as? [[String: Any]] ?? []
                let proforma = o["proforma"] as? [String: Any] ?? [:]
                #expect(services.count == 2 && (proforma["lines"] as? [Any])?.count == 2)
                return (
                    services.first?["id"] as? Int ?? 0, proforma["id"] as? Int ?? 0,
                    (proforma["total"] as? String) ?? ""
                )
            }
            // A bad item is named by its index.
            let bad = """
                {"clientId": \(ana.id), "items": [{"planId": \(plan.id), "cycle": "monthly", "domain": "a.ro"},
                 {"planId": \(plan.id), "cycle": "weekly", "domain": "b.ro"}]}
                """
            try await c.execute(uri: "/api/v1/orders", method: .post, headers: auth, body: ByteBuffer(string: bad)) {
                r in
                #expect(r.status == .unprocessableContent)
                let fields = (try json(r)["error"] as? [String: Any])?["fields"] as? [[String: String]]
                #expect(fields?.map { $0["field"] ?? "" } == ["items[1].cycle"])
            }
            // Paid with 50.00 over: the rest is credit, listed in the ledger.
            _ = gross
            let proforma = try await w.deps.store.read { r in
                try await r.proforma(id: Int64(proformaID), forUpdate: false)!
            }
            _ = try await f.pay(
                proforma, amount: Money(minor: proforma.totals.grossMinor + 50_00, currency: .RON).decimalString)
            try await c.execute(uri: "/api/v1/clients/\(ana.id)/credit", method: .get, headers: auth) { r in
                #expect(r.status == .ok)
                let o = try json(r)
                let balances = o["balances"] as? [[String: Any]]
                #expect(balances?.first?["amount"] as? String == "50.00")
                #expect((o["entries"] as? [[String: Any]])?.count == 1)
            }
            try await c.execute(uri: "/api/v1/services/\(serviceID)/cancel", method: .post, headers: auth) { r in
                #expect(r.status == .ok)
                let endsOn = try json(r)["endsOn"] as? String
                #expect(endsOn == proforma.lines[0].period?.end.description)
            }
            try await c.execute(uri: "/api/v1/services/\(serviceID)/cancel/withdraw", method: .post, headers: auth) {
                r in
                let o = try json(r)
                #expect(r.status == .ok && o["endsOn"] == nil)
            }
            // Credit paid back by transfer: at most the balance.
            try await c.execute(
                uri: "/api/v1/clients/\(ana.id)/credit/refunds", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"amount": "80.00", "currency": "RON", "reference": "OP 1"}"#)
            ) { r in #expect(r.status == .conflict) }
            try await c.execute(
                uri: "/api/v1/clients/\(ana.id)/credit/refunds", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"amount": "20.00", "currency": "RON", "reference": "OP 1"}"#)
            ) { r in
                #expect(r.status == .created)
                let balances = try json(r)["balances"] as? [[String: Any]]
                #expect(balances?.first?["amount"] as? String == "30.00")
            }
            // Upgrade at once: a proforma for the difference.
            let pro = try await f.plan("pro", monthly: "200.00")
            try await c.execute(
                uri: "/api/v1/services/\(serviceID)/change-plan", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"planId": \#(pro.id)}"#)
            ) { r in
                let o = try json(r)
                #expect(r.status == .ok && o["effect"] as? String == "now")
                #expect((o["service"] as? [String: Any])?["planId"] as? Int == Int(pro.id))
                // The rest of the credit (30.00) paid part of it at once.
                let proforma = o["proforma"] as? [String: Any]
                #expect(proforma?["origin"] as? String == "order" && proforma?["paid"] as? String == "30.00")
            }
            try await c.execute(
                uri: "/api/v1/plans/\(plan.id)", method: .put, headers: auth,
                body: ByteBuffer(string: #"{"name": "Start+", "prices": {"monthly": "110.00"}}"#)
            ) { r in
                let o = try json(r)
                #expect(r.status == .ok && o["name"] as? String == "Start+")
                #expect((o["prices"] as? [String: String]) == ["monthly": "110.00"])
            }
            try await c.execute(
                uri: "/api/v1/services/\(serviceID)/terminate", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"reason": ""}"#)
            ) { r in #expect(r.status == .unprocessableContent) }
            try await c.execute(
                uri: "/api/v1/services/\(serviceID)/terminate", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"reason": "asked by phone"}"#)
            ) { r in
                let o = try json(r)
                #expect(r.status == .ok && o["state"] as? String == "terminated")
            }
            try await c.execute(uri: "/api/v1/plans/\(plan.id)/retire", method: .post, headers: auth) { r in
                let o = try json(r)
                #expect(r.status == .ok && o["retired"] as? Bool == true)
            }
        }
        await w.db.close()
    }

    /// Issue 19: staff and integrations list payments by client, proforma, method and day, newest first, paged.
    @Test func paymentsAreListedByClientProformaMethodAndDay() async throws {
        let w = try await world()
        let (_, key) = try await CreateAPIKey(w.deps)(name: "accounting", staffID: nil)
        let f = Fixtures(w.deps)
        let plan = try await f.plan()
        let ana = try await f.client("ana@example.ro")
        let ion = try await f.client("ion@example.ro")
        let anaOrder = try await PlaceOrder(w.deps)(
            clientID: ana.id, try .parse(planID: plan.id, cycle: "monthly", domain: "ana.ro"), billingProfileID: nil,
            actor: .staff(1))
        let ionOrder = try await PlaceOrder(w.deps)(
            clientID: ion.id, try .parse(planID: plan.id, cycle: "monthly", domain: "ion.ro"), billingProfileID: nil,
            actor: .staff(1))
        let today = w.deps.today()
        let half = Money(minor: anaOrder.proforma.totals.grossMinor / 2, currency: anaOrder.proforma.currency)
        _ = try await RecordPayment(w.deps)(
            proformaID: anaOrder.proforma.id,
            .init(amount: half, method: .bankTransfer, receivedOn: today.adding(days: -3), reference: "OP-1"),
            actor: .staff(1))
        _ = try await RecordPayment(w.deps)(
            proformaID: anaOrder.proforma.id, .init(amount: half, method: .card, reference: "pi_1"), actor: .staff(1))
        _ = try await RecordPayment(w.deps)(
            proformaID: ionOrder.proforma.id, .init(amount: ionOrder.proforma.totals.gross, method: .bankTransfer),
            actor: .staff(1))
        let auth: HTTPFields = [.authorization: "Bearer \(key)"]
        @Sendable func ids(_ c: some TestClientProtocol, _ query: String) async throws -> [Int] {
            try await c.execute(uri: "/api/v1/payments" + query, method: .get, headers: auth) { r in
                #expect(r.status == .ok, "\(query)")
                return (try json(r)["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } ?? []
            }
        }
        try await w.app.test(.router) { c in
            #expect(try await ids(c, "") == [3, 2, 1])
            #expect(try await ids(c, "?clientId=\(ana.id)") == [2, 1])
            #expect(try await ids(c, "?proformaId=\(ionOrder.proforma.id)") == [3])
            #expect(try await ids(c, "?method=card") == [2])
            #expect(try await ids(c, "?clientId=\(ana.id)&method=bank_transfer") == [1])
            #expect(try await ids(c, "?from=\(today)") == [3, 2])
            #expect(try await ids(c, "?to=\(today.adding(days: -1))") == [1])
            #expect(try await ids(c, "?limit=1&offset=1") == [2])
            try await c.execute(uri: "/api/v1/payments?clientId=\(ana.id)&method=card", method: .get, headers: auth) {
                r in
                let item = try #require((try json(r)["items"] as? [[String: Any]])?.first)
                #expect(item["amount"] as? String == half.decimalString && item["currency"] as? String == "RON")
                #expect(item["reference"] as? String == "pi_1" && item["receivedOn"] as? String == today.description)
                #expect(item["proformaId"] as? Int == Int(anaOrder.proforma.id) && item["reversedAt"] == nil)
            }
            try await c.execute(
                uri: "/api/v1/payments?method=cash&from=2026-13-01&clientId=x", method: .get, headers: auth
            ) {
                r in
                #expect(r.status == .unprocessableContent)
            }
            try await c.execute(uri: "/api/v1/payments?method=cash&from=2026-13-01", method: .get, headers: auth) { r in
                let fields = (try json(r)["error"] as? [String: Any])?["fields"] as? [[String: String]]
                #expect(Set(fields?.compactMap { $0["field"] } ?? []) == ["method", "from"])
            }
            try await c.execute(uri: "/api/v1/payments?from=2026-02-01&to=2026-01-01", method: .get, headers: auth) {
                r in
                #expect(r.status == .unprocessableContent)
            }
            try await c.execute(uri: "/api/v1/payments", method: .get) { r in #expect(r.status == .unauthorized) }
        }
        await w.db.close()
    }

    @Test func staffSeeAClientsMessagesAndBadFiltersAreNamed() async throws {
        let (app, key, db) = try await app()
        let auth: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
        try await app.test(.router) { c in
            let badZone = Self.client.replacingOccurrences(
                of: #""language":"ro""#, with: #""language":"ro","timeZone":"Mars/Olympus""#)
            try await c.execute(uri: "/api/v1/clients", method: .post, headers: auth, body: ByteBuffer(string: badZone))
            { r in
                #expect(r.status == .unprocessableContent)
                let fields = (try json(r)["error"] as? [String: Any])?["fields"] as? [[String: String]]
                #expect(fields?.map { $0["field"] } == ["timeZone"])
            }
            let withZone = Self.client.replacingOccurrences(
                of: #""language":"ro""#, with: #""language":"en","timeZone":"Asia/Kolkata""#)
            let id = try await c.execute(
                uri: "/api/v1/clients", method: .post, headers: auth, body: ByteBuffer(string: withZone)
            ) { r in
                #expect(r.status == .created)
                let body = try json(r)
                #expect(body["timeZone"] as? String == "Asia/Kolkata")
                return body["id"] as! Int
            }
            try await c.execute(uri: "/api/v1/clients/\(id)/messages", method: .get, headers: auth) { r in
                #expect(r.status == .ok)
                let items = try json(r)["items"] as? [Any]
                #expect(items?.isEmpty == true, "nothing has been delivered yet")
            }
            try await c.execute(uri: "/api/v1/clients/999/messages", method: .get, headers: auth) { r in
                #expect(r.status == .notFound)
            }
            try await c.execute(uri: "/api/v1/messages?status=lost", method: .get, headers: auth) { r in
                #expect(r.status == .unprocessableContent)
                let fields = (try json(r)["error"] as? [String: Any])?["fields"] as? [[String: String]]
                #expect(fields?.first?["field"] == "status")
            }
            try await c.execute(uri: "/api/v1/messages?status=failed", method: .get, headers: auth) { r in
                #expect(r.status == .ok)
            }
        }
        await db.close()
    }

    @Test func staffSeeTheEFacturaQueueWithDeadlinesAndDownloadTheXML() async throws {
        let (app, key, db) = try await app()
        let auth: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
        try await app.test(.router) { c in
            let planID = try await c.execute(
                uri: "/api/v1/plans", method: .post, headers: auth,
                body: ByteBuffer(
                    string: #"{"code":"start","name":"Start","currency":"RON","prices":{"monthly":"100.00"}}"#)
            ) { r in
                try json(r)["id"] as! Int
            }
            let foreign =
                #"{"email":"bob@example.com","password":"correct horse battery","language":"en","profile":{"kind":"person","name":"Bob Smith","street":"1 Main St","city":"Boston","country":"US"}}"#
            var fiscalIDs: [Int] = []
            for body in [Self.client, foreign] {
                let clientID = try await c.execute(
                    uri: "/api/v1/clients", method: .post, headers: auth, body: ByteBuffer(string: body)
                ) { r in try json(r)["id"] as! Int }
                let proforma = try await c.execute(
                    uri: "/api/v1/orders", method: .post, headers: auth,
                    body: ByteBuffer(
                        string:
                            #"{"clientId":\#(clientID),"planId":\#(planID),"cycle":"monthly","domain":"site\#(clientID).ro"}"#
                    )
                ) { r in
                    try json(r)["proforma"] as! [String: Any]
                }
                fiscalIDs.append(
                    try await c.execute(
                        uri: "/api/v1/proformas/\(proforma["id"] as! Int)/payments", method: .post, headers: auth,
                        body: ByteBuffer(
                            string:
                                #"{"amount":"\#(proforma["total"] as! String)","currency":"RON","method":"bank_transfer"}"#
                        )
                    ) { r in
                        #expect(r.status == .created)
                        return (try json(r)["fiscalInvoice"] as! [String: Any])["id"] as! Int
                    })
            }
            // Issued 2026-01-15 (a Thursday): five working days later is 2026-01-22. The foreign buyer is outside the default scope.
            try await c.execute(uri: "/api/v1/efactura", method: .get, headers: auth) { r in
                let items = try json(r)["items"] as! [[String: Any]]
                #expect(items.count == 2)
                let ro = try #require(items.first { $0["fiscalInvoiceId"] as? Int == fiscalIDs[0] })
                #expect(
                    ro["state"] as? String == "to_upload" && ro["deadline"] as? String == "2026-01-22"
                        && ro["overdue"] as? Bool == false)
                #expect(
                    items.first { $0["fiscalInvoiceId"] as? Int == fiscalIDs[1] }?["state"] as? String == "not_required"
                )
            }
            try await c.execute(uri: "/api/v1/efactura?state=to_upload", method: .get, headers: auth) { r in
                let items = try json(r)["items"] as! [Any]
                #expect(items.count == 1)
            }
            try await c.execute(uri: "/api/v1/efactura?state=sent", method: .get, headers: auth) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await c.execute(
                uri: "/api/v1/fiscal-invoices/\(fiscalIDs[0])/efactura.xml", method: .get, headers: auth
            ) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentDisposition] == "attachment; filename=\"HST2026-000001.xml\"")
                let xml = String(buffer: r.body)
                #expect(
                    xml.contains("<cbc:ID>HST2026-000001</cbc:ID>")
                        && xml.contains("urn:efactura.mfinante.ro:CIUS-RO:1.0.1"))
            }
            try await c.execute(uri: "/api/v1/fiscal-invoices/\(fiscalIDs[0])/pdf", method: .get, headers: auth) { r in
                #expect(r.status == .ok && r.headers[.contentType] == "application/pdf")
                #expect(r.headers[.contentDisposition] == "attachment; filename=\"HST2026-000001.pdf\"")
                #expect(String(buffer: r.body).hasPrefix("%PDF-"))
            }
            try await c.execute(uri: "/api/v1/proformas/1/pdf", method: .get, headers: auth) { r in
                #expect(
                    r.status == .ok && r.headers[.contentDisposition] == "attachment; filename=\"PF-2026-000001.pdf\"")
            }
            try await c.execute(uri: "/api/v1/proformas/999/pdf", method: .get, headers: auth) { r in
                #expect(r.status == .notFound)
            }
        }
        await db.close()
    }

    @Test func staffSeeEachServicesServerState() async throws {
        let (app, key, db) = try await app()
        let auth: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
        try await app.test(.router) { c in
            let planID = try await c.execute(
                uri: "/api/v1/plans", method: .post, headers: auth,
                body: ByteBuffer(
                    string:
                        #"{"code":"web","name":"Web","currency":"RON","prices":{"monthly":"100.00"},"provisioner":"nginx"}"#
                )
            ) { r in
                let body = try json(r)
                #expect(r.status == .created && body["provisioner"] as? String == "nginx")
                return body["id"] as! Int
            }
            let clientID = try await c.execute(
                uri: "/api/v1/clients", method: .post, headers: auth, body: ByteBuffer(string: Self.client)
            ) { r in try json(r)["id"] as! Int }
            let order = try await c.execute(
                uri: "/api/v1/orders", method: .post, headers: auth,
                body: ByteBuffer(
                    string: #"{"clientId":\#(clientID),"planId":\#(planID),"cycle":"monthly","domain":"ana.ro"}"#)
            ) { r in try json(r) }
            let serviceID = (order["service"] as! [String: Any])["id"] as! Int
            let proformaID = (order["proforma"] as! [String: Any])["id"] as! Int
            try await c.execute(uri: "/api/v1/services/\(serviceID)/provisioning", method: .get, headers: auth) { r in
                let body = try json(r)
                #expect(
                    body["state"] as? String == "in_sync" && (body["jobs"] as? [Any])?.isEmpty == true,
                    "nothing to do before payment")
            }
            _ = try await c.execute(
                uri: "/api/v1/proformas/\(proformaID)/payments", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"amount":"121.00","currency":"RON","method":"bank_transfer"}"#)
            ) { r in r.status }
            let jobID = try await c.execute(
                uri: "/api/v1/services/\(serviceID)/provisioning", method: .get, headers: auth
            ) { r in
                let body = try json(r)
                let jobs = body["jobs"] as! [[String: Any]]
                #expect(body["state"] as? String == "pending" && jobs.map { $0["action"] as? String } == ["create"])
                return jobs[0]["id"] as! Int
            }
            try await c.execute(uri: "/api/v1/provisioning-jobs/\(jobID)/retry", method: .post, headers: auth) { r in
                #expect(r.status == .conflict, "only a failed job can be retried")
            }
            try await c.execute(uri: "/api/v1/services/999/provisioning", method: .get, headers: auth) { r in
                #expect(r.status == .notFound)
            }
        }
        await db.close()
    }

    @Test func orderPayAndReadTheFiscalInvoice() async throws {
        let (app, key, db) = try await app()
        let auth: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
        try await app.test(.router) { c in
            let clientID = try await c.execute(
                uri: "/api/v1/clients", method: .post, headers: auth, body: ByteBuffer(string: Self.client)
            ) { r in
                #expect(r.status == .created)
                let body = try json(r)
                #expect(body["smsOptIn"] as? Bool == false)
                return body["id"] as! Int
            }
            let planID = try await c.execute(
                uri: "/api/v1/plans", method: .post, headers: auth,
                body: ByteBuffer(
                    string: #"{"code":"start","name":"Start","currency":"RON","prices":{"monthly":"100.00"}}"#)
            ) { r in
                #expect(r.status == .created)
                return try json(r)["id"] as! Int
            }
            let proformaID = try await c.execute(
                uri: "/api/v1/orders", method: .post, headers: auth,
                body: ByteBuffer(
                    string: #"{"clientId":\#(clientID),"planId":\#(planID),"cycle":"monthly","domain":"ana.ro"}"#)
            ) { r in
                #expect(r.status == .created)
                let p = try json(r)["proforma"] as! [String: Any]
                #expect(p["total"] as? String == "121.00")
                #expect(p["number"] as? String == "PF-2026-000001")
                return p["id"] as! Int
            }
            let fiscalID = try await c.execute(
                uri: "/api/v1/proformas/\(proformaID)/payments", method: .post, headers: auth,
                body: ByteBuffer(
                    string: #"{"amount":"121.00","currency":"RON","method":"bank_transfer","reference":"OP-1"}"#)
            ) { r in
                #expect(r.status == .created)
                let f = try json(r)["fiscalInvoice"] as! [String: Any]
                #expect(f["number"] as? String == "HST2026-000001")
                return f["id"] as! Int
            }
            // A retry with the same idempotency key (the header) is recorded once and names the first payment.
            let keyed: HTTPFields = [
                .authorization: "Bearer \(key)", .contentType: "application/json",
                .init("Idempotency-Key")!: "bank:TX-77",
            ]
            let paymentID = try await c.execute(
                uri: "/api/v1/proformas/\(proformaID)/payments", method: .post, headers: keyed,
                body: ByteBuffer(
                    string: #"{"amount":"5.00","currency":"RON","method":"bank_transfer","reference":"OP-1"}"#)
            ) { r in
                #expect(r.status == .created)
                let body = try json(r)
                #expect(body["credit"] as? String == "5.00")  // the proforma is paid already: the money is credit
                return body["paymentId"] as! Int
            }
            try await c.execute(
                uri: "/api/v1/proformas/\(proformaID)/payments", method: .post, headers: keyed,
                body: ByteBuffer(
                    string: #"{"amount":"5.00","currency":"RON","method":"bank_transfer","reference":"OP-1"}"#)
            ) { r in
                #expect(r.status == .ok)
                let body = try json(r)
                #expect(body["alreadyRecorded"] as? Bool == true && body["paymentId"] as? Int == paymentID)
            }
            // The same key for another amount: 409, naming the first payment.
            try await c.execute(
                uri: "/api/v1/proformas/\(proformaID)/payments", method: .post, headers: auth,
                body: ByteBuffer(
                    string:
                        #"{"amount":"6.00","currency":"RON","method":"bank_transfer","idempotencyKey":"bank:TX-77"}"#)
            ) { r in
                #expect(r.status == .conflict)
                let error = try json(r)["error"] as! [String: Any]
                #expect(
                    error["code"] as? String == "payment.key-reused"
                        && (error["message"] as? String)?.contains("payment #\(paymentID)") == true)
            }
            for method in [HTTPRequest.Method.put, .delete, .patch] {
                try await c.execute(
                    uri: "/api/v1/fiscal-invoices/\(fiscalID)", method: method, headers: auth,
                    body: ByteBuffer(string: "{}")
                ) { r in
                    #expect(r.status == .conflict)
                    let body = try json(r)
                    #expect((body["error"] as? [String: Any])?["code"] as? String == "fiscal.immutable")
                }
            }
            try await c.execute(
                uri: "/api/v1/proformas/\(proformaID)/billing-data", method: .put, headers: auth,
                body: ByteBuffer(
                    string:
                        #"{"party":{"kind":"legal_entity","name":"X GmbH","street":"S","city":"Berlin","country":"DE","vatNumber":"DE123456789"}}"#
                )
            ) { r in
                #expect(r.status == .conflict)
            }
        }
        await db.close()
    }

    /// A service held for non-payment: the API refuses to lift the hold as an unsuspend (naming the extension), refuses
    /// a misspelt reason, and a payment extension lifts it, moves the due date and tells the client.
    @Test func aNonPaymentHoldGoesWithAPaymentExtensionNotAnUnsuspend() async throws {
        let w = try await world()
        let (db, clock, deps) = (w.db, w.clock, w.deps)
        let (_, key) = try await CreateAPIKey(deps)(name: "test", staffID: nil)
        let f = Fixtures(deps)
        let client = try await f.client("ana@example.ro")
        let service = try await f.activeService(client: client, plan: try await f.plan(), domain: "ana.ro")
        for _ in 1...37 {
            clock.advance(days: 1)
            _ = try await DailyBillingTasks(deps)(asOf: deps.today())
        }
        let held = try #require(
            try await deps.store.read { r in try await r.service(id: service.id, forUpdate: false) })
        let hold = try #require(held.holds.first)
        let renewal = try #require(hold.proformaID)
        let auth: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
        try await w.app.test(.router) { c in
            try await c.execute(
                uri: "/api/v1/services/\(service.id)/unsuspend", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"holdId":\#(hold.id)}"#)
            ) { r in
                #expect(r.status == .conflict)
                let error = try json(r)["error"] as! [String: Any]
                #expect(error["code"] as? String == "hold.non-payment")
                #expect((error["message"] as? String)?.contains("/api/v1/proformas/{id}/extension") == true)
            }
            try await c.execute(
                uri: "/api/v1/services/\(service.id)/unsuspend", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"reason":"fraud"}"#)
            ) { r in
                #expect(r.status == .unprocessableContent)
                let fields = (try json(r)["error"] as! [String: Any])["fields"] as! [[String: String]]
                #expect(fields.map { "\($0["field"]!):\($0["rule"]!)" } == ["reason:reason.enum"])
            }
            try await c.execute(
                uri: "/api/v1/proformas/\(renewal)/extension", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"until":"2026-03-30","note":"Asked by phone"}"#)
            ) { r in
                #expect(r.status == .unprocessableContent)  // more than 14 days from today (2026-02-21)
            }
            try await c.execute(
                uri: "/api/v1/proformas/\(renewal)/extension", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"until":"2026-02-28","note":"Asked by phone"}"#)
            ) { r in
                #expect(r.status == .ok)
                let p = try json(r)
                #expect(p["extendedDueDate"] as? String == "2026-02-28")
                #expect(p["dueDate"] as? String == "2026-02-15")
            }
            try await c.execute(uri: "/api/v1/services/\(service.id)", method: .get, headers: auth) { r in
                let body = try json(r)
                #expect(body["state"] as? String == "active")
            }
        }
        let events = try await deps.store.read { r in try await r.outbox(clientID: client.id, limit: 50) }
        #expect(events.contains { $0.kind == "proforma.payment_extended" && $0.payload["dueDate"] == "2026-02-28" })
        await db.close()
    }

    @Test func invalidInputNamesTheFieldAndRule() async throws {
        let (app, key, db) = try await app()
        let auth: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
        try await app.test(.router) { c in
            let bad = Self.client.replacingOccurrences(of: "2700116065277", with: "2700116065278").replacingOccurrences(
                of: "0722123456", with: "12")
            try await c.execute(uri: "/api/v1/clients", method: .post, headers: auth, body: ByteBuffer(string: bad)) {
                r in
                #expect(r.status == .unprocessableContent)
                let fields = (try json(r)["error"] as! [String: Any])["fields"] as! [[String: String]]
                #expect(
                    Set(fields.map { "\($0["field"]!):\($0["rule"]!)" }) == ["cnp:cnp.checksum", "phone:phone.e164"])
            }
            try await c.execute(
                uri: "/api/v1/clients", method: .post, headers: auth, body: ByteBuffer(string: "not json")
            ) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await c.execute(uri: "/api/v1/clients/999", method: .get, headers: auth) { r in
                #expect(r.status == .notFound)
            }
            try await c.execute(
                uri: "/api/v1/proformas/999/payments", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"amount":"-1","currency":"RON","method":"bank_transfer"}"#)
            ) { r in
                #expect(r.status == .unprocessableContent)
            }
            try await c.execute(uri: "/api/v1/clients", method: .get, headers: auth) { r in
                let body = try json(r)
                #expect((body["items"] as! [Any]).isEmpty)
            }
            // Issue 18.9: over-long text and control characters are refused, naming the field and the limit; never cut
            // or replaced and saved.
            let long = String(repeating: "x", count: 10_240)
            let hostile = Self.client.replacingOccurrences(of: "\"Ana Popescu\"", with: "\"\(long)\"")
                .replacingOccurrences(of: "\"Str. 1\"", with: #""Str.\u0007 1""#)
            try await c.execute(uri: "/api/v1/clients", method: .post, headers: auth, body: ByteBuffer(string: hostile))
            { r in
                #expect(r.status == .unprocessableContent)
                let fields = (try json(r)["error"] as! [String: Any])["fields"] as! [[String: String]]
                #expect(
                    Set(fields.map { "\($0["field"]!):\($0["rule"]!)" }) == [
                        "profile.name:length.max", "profile.street:text.control",
                    ]
                        || Set(fields.map { "\($0["field"]!):\($0["rule"]!)" }) == [
                            "name:length.max", "street:text.control",
                        ])
                #expect(fields.contains { $0["message"]?.contains("At most 200 characters") == true })
            }
            try await c.execute(
                uri: "/api/v1/plans", method: .post, headers: auth,
                body: ByteBuffer(
                    string: #"{"code":"big","name":"\#(long)\u0007","currency":"RON","prices":{"monthly":"100.00"}}"#)
            ) { r in
                #expect(r.status == .unprocessableContent)
                let fields = (try json(r)["error"] as! [String: Any])["fields"] as! [[String: String]]
                #expect(
                    Set(fields.map { "\($0["field"]!):\($0["rule"]!)" }) == ["name:length.max", "name:text.control"])
            }
            try await c.execute(uri: "/api/v1/plans", method: .get, headers: auth) { r in
                let body = try json(r)
                #expect((body["items"] as! [Any]).isEmpty)
            }
            // A billing run for a day still to come (a typo: 2062 for 2026) is refused, and no run is recorded.
            try await c.execute(
                uri: "/api/v1/billing-runs", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"asOf":"2062-01-15"}"#)
            ) { r in
                #expect(r.status == .unprocessableContent)
                let fields = (try json(r)["error"] as! [String: Any])["fields"] as! [[String: String]]
                #expect(fields.map { "\($0["field"]!):\($0["rule"]!)" } == ["asOf:date.future"])
            }
            try await c.execute(uri: "/api/v1/billing-runs", method: .get, headers: auth) { r in
                let body = try json(r)
                #expect((body["items"] as! [Any]).isEmpty)
            }
        }
        await db.close()
    }

    /// Issue 18.7: keys carry scopes and an optional expiry, note their last use, and stop working once revoked.
    @Test func keysDoOnlyWhatTheirScopesAllowAndStopWhenRevokedOrExpired() async throws {
        let w = try await world()
        let (db, clock, deps) = (w.db, w.clock, w.deps)
        let (readerID, reader) = try await CreateAPIKey(deps)(name: "dashboard", scopes: ["read"], staffID: nil)
        let (_, bank) = try await CreateAPIKey(deps)(
            name: "bank import", scopes: ["read,payments"], expiresInDays: 30, staffID: nil)
        await #expect(throws: UseCaseError.self) {
            _ = try await CreateAPIKey(deps)(name: "x", scopes: ["everything"], staffID: nil)
        }
        @Sendable func headers(_ key: String) -> HTTPFields {
            [.authorization: "Bearer \(key)", .contentType: "application/json"]
        }
        try await w.app.test(.router) { c in
            try await c.execute(uri: "/api/v1/clients", method: .get, headers: headers(reader)) { r in
                #expect(r.status == .ok)
            }
            try await c.execute(
                uri: "/api/v1/billing-runs", method: .post, headers: headers(reader), body: ByteBuffer(string: "{}")
            ) { r in
                #expect(r.status == .forbidden)
                #expect(String(buffer: r.body).contains("needs the billing scope"))
            }
            try await c.execute(
                uri: "/api/v1/plans", method: .post, headers: headers(bank),
                body: ByteBuffer(
                    string: #"{"code":"start","name":"Start","currency":"RON","prices":{"monthly":"100.00"}}"#)
            ) { r in
                #expect(r.status == .forbidden)
            }
            // The payments scope reaches the payments endpoint (here: a proforma that does not exist).
            try await c.execute(
                uri: "/api/v1/proformas/999/payments", method: .post, headers: headers(bank),
                body: ByteBuffer(string: #"{"amount":"1.00","currency":"RON","method":"bank_transfer"}"#)
            ) { r in
                #expect(r.status == .notFound)
            }
            #expect(try await ListAPIKeys(deps)().first { $0.id == readerID }?.lastUsedAt != nil)
            try await RevokeAPIKey(deps)(id: readerID, actor: .staff(1))
            try await c.execute(uri: "/api/v1/clients", method: .get, headers: headers(reader)) { r in
                #expect(r.status == .unauthorized)
            }
            await #expect(
                throws: UseCaseError.conflict(
                    rule: "api-key.revoked", message: "API key #\(readerID) is already revoked.")
            ) { try await RevokeAPIKey(deps)(id: readerID, actor: .staff(1)) }
            // Thirty days on, the bank key has expired.
            clock.set(TestDates.start.addingTimeInterval(30 * 86_400))
            try await c.execute(uri: "/api/v1/clients", method: .get, headers: headers(bank)) { r in
                #expect(r.status == .unauthorized)
            }
        }
        await db.close()
    }
}
