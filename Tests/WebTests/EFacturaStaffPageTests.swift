import Bootstrap
import Domain
import Features
import Foundation
import Hummingbird
import HummingbirdTesting
import Storage
import TestSupport
import Testing

/// The staff e-Factura page against the ANAF peer: connecting with ANAF's OAuth (the browser's round trip),
/// every invoice's state and deadline, ANAF's errors and ZIP, and uploading a rejected invoice again.
@Suite("Staff e-Factura page")
struct EFacturaStaffPageTests {
    @Test func staffConnectToANAFSeeTheVerdictsDownloadANAFsFileAndUploadARejectedInvoiceAgain() async throws {
        let peer = try await ANAFPeer(processingPolls: 0)
        let h = try await WebHarness.make(environment: [
            "ANAF_CLIENT_ID": ANAFPeer.clientID, "ANAF_CLIENT_SECRET": ANAFPeer.clientSecret,
            "ANAF_API_URL": peer.base + "/test/FCTEL/rest", "ANAF_OAUTH_URL": peer.base + "/anaf-oauth2/v1",
        ])
        #expect(h.config.efactura?.anaf.redirectURI == "https://billing.example.test/staff/efactura/oauth")
        let plan = try await h.fixtures.plan()
        let ana = try await h.fixtures.client("ana@example.ro")
        let order = try await PlaceOrder(h.deps)(
            clientID: ana.id, try .parse(planID: plan.id, cycle: "monthly", domain: "ana.ro"), billingProfileID: nil,
            actor: .client(ana.id))
        let good = try #require(try await h.fixtures.pay(order.proforma).fiscalInvoice)
        let careless = h.deps.with(seller: h.deps.sellerWithoutCounty)
        let ion = try await Fixtures(careless).client("ion@example.ro")
        let order2 = try await PlaceOrder(careless)(
            clientID: ion.id, try .parse(planID: plan.id, cycle: "monthly", domain: "ion.ro"), billingProfileID: nil,
            actor: .client(ion.id))
        let bad = try #require(try await Fixtures(careless).pay(order2.proforma).fiscalInvoice)
        _ = try await CreateStaff(h.deps)(email: "ops@hostico.ro", name: "Ops", password: "staff password 1")
        let submit = try #require(try LiveServices(config: h.config, deps: h.deps, database: h.db).efactura)

        try await h.run { c in
            // A client never reaches the staff page.
            let client = Browser(c)
            try await client.logIn("ana@example.ro", "correct horse battery")
            #expect(try await client.get("/staff/efactura").location?.hasPrefix("/staff/login") == true)

            let staff = Browser(c)
            try await staff.logInStaffSettingUp2FA("ops@hostico.ro", "staff password 1", h)
            var page = try await staff.get("/staff/efactura")
            #expect(page.status == .ok)
            var text = page.body.visibleText
            #expect(
                text.contains("Not connected")
                    && text.contains(
                        "\(good.displayNumber) \(good.issueDate) \(EFacturaDeadline.deadline(issuedOn: good.issueDate)) to upload"
                    ), "\(text)")
            // Only this page's form may lead to ANAF's login (browsers check form-action on the redirect too).
            #expect(page.headers[.contentSecurityPolicy]?.contains("form-action 'self' \(peer.base)") == true)

            #expect(try await staff.post("/staff/efactura/connect", [], csrf: "forged").status == .forbidden)
            let toANAF = try await staff.post("/staff/efactura/connect", [])
            #expect(toANAF.status == .seeOther)
            let (code, state) = try await peer.authorize(try #require(toANAF.location))
            let refused = try await staff.get("/staff/efactura/oauth?error=access_denied")
            #expect(refused.status == .badRequest && refused.body.visibleText.contains("ANAF answered: access_denied."))
            #expect(try await staff.get("/staff/efactura/oauth?code=\(code)&state=forged").status == .badRequest)
            #expect(
                try await staff.get("/staff/efactura/oauth?code=\(code)&state=\(state)").location == "/staff/efactura")
            #expect(try await staff.get("/staff/efactura").body.visibleText.contains("Connected by Ops (staff #1)"))

            // The worker's passes: upload, then ANAF's verdicts a minute later.
            #expect(try await submit.runOnce().uploaded == 2)
            h.clock.advance(seconds: 61)
            let report = try await submit.runOnce()
            #expect(report.accepted == 1 && report.rejected == 1)

            page = try await staff.get("/staff/efactura")
            text = page.body.visibleText
            #expect(
                text.contains(
                    "\(good.displayNumber) \(good.issueDate) \(EFacturaDeadline.deadline(issuedOn: good.issueDate)) accepted 5"
                ), "\(text)")
            #expect(text.contains("\(bad.displayNumber)") && text.contains("rejected") && text.contains("BR-RO-1"))
            #expect(
                page.body.contains("/staff/efactura/\(good.id)/anaf.zip")
                    && page.body.contains("/staff/efactura/\(bad.id)/upload-again"))
            #expect(!page.body.contains("/staff/efactura/\(good.id)/upload-again"))
            let zip = try await staff.get("/staff/efactura/\(good.id)/anaf.zip")
            #expect(zip.status == .ok && zip.headers[.contentType] == "application/zip")
            #expect(zip.headers[.contentDisposition] == "attachment; filename=\"\(good.displayNumber)-anaf.zip\"")
            // Each invoice's XML for a manual upload in SPV; the filter shows how many invoices are in each state.
            let xml = try await staff.get("/staff/efactura/\(bad.id)/invoice.xml")
            #expect(xml.status == .ok && xml.headers[.contentType] == "application/xml; charset=utf-8")
            #expect(xml.body.hasPrefix("<?xml") && xml.body.contains(">\(bad.displayNumber)</cbc:ID>"))
            #expect(page.body.contains("/staff/efactura/\(good.id)/invoice.xml"))
            #expect(text.contains("all 2 overdue 0 to upload 0 uploaded 0 accepted 1 rejected 1"), "\(text)")
            #expect(
                try await staff.get("/staff/efactura?state=rejected").body.visibleText.contains(good.displayNumber)
                    == false)
            // The same file for integrations, with an API key.
            let key = try await CreateAPIKey(h.deps)(name: "accounting", staffID: nil)
            let apiZip = try await c.execute(
                uri: "/api/v1/fiscal-invoices/\(good.id)/efactura-anaf.zip", method: .get,
                headers: [.authorization: "Bearer \(key.secret)"], body: nil)
            let stored = try await SQLEFacturaQueue(database: h.db).responseFile(fiscalInvoiceID: good.id)
            #expect(
                apiZip.status == .ok && Array(buffer: apiZip.body) == stored
                    && stored?.starts(with: Array("PK".utf8)) == true)
            let api = try await c.execute(
                uri: "/api/v1/efactura?state=accepted", method: .get, headers: [.authorization: "Bearer \(key.secret)"],
                body: nil)
            #expect(
                String(buffer: api.body).contains(#""anafFile":true"#)
                    && String(buffer: api.body).contains(#""state":"accepted""#))

            // The state on the invoice page, and staff sending the rejected one again.
            #expect(
                try await staff.get("/staff/fiscal-invoices/\(good.id)").body.visibleText.contains(
                    "e-Factura: accepted, upload by"))
            #expect(try await staff.post("/staff/efactura/\(bad.id)/upload-again", []).location == "/staff/efactura")
            #expect(try await staff.get("/staff/efactura?state=to_upload").body.visibleText.contains(bad.displayNumber))
            #expect(try await staff.post("/staff/efactura/\(good.id)/upload-again", []).status == .conflict)

            // ANAF revokes the tokens: the page says so, and what to do.
            try await peer.hook("/_sim/revoke")
            #expect(try await !submit.runOnce().connected)
            #expect(
                try await staff.get("/staff/efactura").body.visibleText.contains(
                    "ANAF refused these tokens (token endpoint: invalid_grant): nothing is uploaded until you connect again."
                ))
        }
    }
}
