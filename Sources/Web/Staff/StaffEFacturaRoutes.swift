import Documents
import Domain
import Features
import Foundation
import Hummingbird

/// The staff e-Factura page: the connection to ANAF (OAuth with the company's certificate, once), every fiscal
/// invoice's e-Factura state with its deadline and ANAF's errors, ANAF's ZIP, and "upload again" for a rejection.
struct StaffEFacturaRoutes {
    let staff: StaffRoutes
    var areas: WebAreas { staff.areas }
    var deps: AppDependencies { areas.deps }

    func register<Parent: WebRequestContext>(on r: RouterGroup<LoggedInContext<Parent>>) {
        r.get("efactura") { req, ctx in
            let (_, visit) = try staff.staffVisit(req, ctx)
            let filter = req.uri.queryParameters.get("state").flatMap(EFacturaState.init(rawValue:))
            let overdueOnly = req.uri.queryParameters.get("state") == "overdue"
            // Counts per state for the filter's badges (up to the newest 5,000 invoices).
            let all = try await InvoiceQueries(deps).efacturaSubmissions(state: nil, limit: 5000)
            let today = deps.today()
            let items =
                overdueOnly
                ? all.filter { $0.isOverdue(today: today) }
                : filter == nil ? Array(all.prefix(500)) : Array(all.filter { $0.state == filter }.prefix(500))
            let credentials = try await areas.efacturaQueue?.credentials()
            let staffNames = credentials == nil ? [:] : try await BackOfficeQueries(deps).staffNames()
            var counts: [EFacturaState?: Int] = Dictionary(grouping: all, by: { Optional($0.state) }).mapValues(\.count)
            counts[nil] = all.count
            let model = StaffEFacturaPage.model(
                items, filter: overdueOnly ? .overdue : filter.map { .state($0) } ?? .all, counts: counts,
                overdue: all.filter { $0.isOverdue(today: today) }.count, credentials: credentials,
                staffNames: staffNames, configured: areas.efactura != nil, deps)
            var response = areas.page("staff-efactura", title: "e-Factura", model, visit)
            if let origin = areas.efactura?.authorizationOrigin {
                response.headers[.contentSecurityPolicy] = PageHeaders.policy(alsoSubmittingTo: origin)
            }
            return response
        }
        r.post("efactura/connect") { req, ctx in
            let (staffID, visit) = try staff.staffVisit(req, ctx)
            try areas.checkCSRF(try await Form.parse(req), visit)
            guard let efactura = areas.efactura else { throw UseCaseError.notFound("e-Factura upload") }
            return areas.redirect(try await efactura.startAuthorization(staffID: staffID), visit)
        }
        // ANAF sends the browser back here (the redirect URI registered for the application).
        r.get("efactura/oauth") { req, ctx in
            let (staffID, visit) = try staff.staffVisit(req, ctx)
            guard let efactura = areas.efactura else { throw UseCaseError.notFound("e-Factura upload") }
            let q = req.uri.queryParameters
            guard let code = q.get("code"), let state = q.get("state") else {
                return areas.message(
                    visit, status: .badRequest, heading: "ANAF did not authorise the connection",
                    text: "ANAF answered: \(q.get("error") ?? "no authorisation code").",
                    link: (Paths.Staff.efactura, "Back to e-Factura"))
            }
            do {
                try await efactura.finishAuthorization(code: code, state: state, staffID: staffID)
            } catch SubmitEFactura.ConnectError.unknownState {
                return areas.message(
                    visit, status: .badRequest, heading: "This answer from ANAF is not for this session",
                    text: "Start the connection again from the e-Factura page.",
                    link: (Paths.Staff.efactura, "Back to e-Factura"))
            } catch let e as EFacturaGatewayError {
                return areas.message(
                    visit, status: .badGateway, heading: "ANAF did not give the tokens", text: e.description,
                    link: (Paths.Staff.efactura, "Back to e-Factura"))
            }
            return areas.redirect(Paths.Staff.efactura, visit, flash: "saved")
        }
        staff.action(r, "efactura/:id/upload-again") { _, ctx, _, actor in
            guard let efactura = areas.efactura, case .staff(let id) = actor else {
                throw UseCaseError.notFound("e-Factura upload")
            }
            let invoiceID = try ctx.parameters.require("id", as: Int64.self)
            guard try await efactura.uploadAgain(fiscalInvoiceID: invoiceID, by: id) else {
                throw UseCaseError.conflict(
                    rule: "efactura.not-rejected", message: "Only a rejected invoice can be uploaded again.")
            }
            return (Paths.Staff.efactura, "saved")
        }
        // The invoice's UBL XML as it is (or would be) uploaded: for a manual upload in ANAF's SPV when uploads
        // are off or ANAF is down.
        r.get("efactura/:id/invoice.xml") { req, ctx in
            _ = try staff.staffVisit(req, ctx)
            let f = try await areas.fiscal(ctx)
            let name = f.displayNumber.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/xml; charset=utf-8",
                    .contentDisposition: "attachment; filename=\"\(name).xml\"", .cacheControl: "no-store",
                ],
                body: .init(byteBuffer: ByteBuffer(string: EFactura.xml(f))))
        }
        r.get("efactura/:id/anaf.zip") { req, ctx in
            _ = try staff.staffVisit(req, ctx)
            let invoiceID = try ctx.parameters.require("id", as: Int64.self)
            guard let zip = try await areas.efacturaQueue?.responseFile(fiscalInvoiceID: invoiceID),
                let submission = try await InvoiceQueries(deps).efacturaSubmission(fiscalInvoiceID: invoiceID)
            else { throw UseCaseError.notFound("ANAF file") }
            let name = submission.number.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/zip", .contentDisposition: "attachment; filename=\"\(name)-anaf.zip\"",
                    .cacheControl: "no-store",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: zip)))
        }
    }
}

/// The e-Factura page's model: the state filter, each fiscal invoice's upload with its deadline and ANAF's errors,
/// and the connection to ANAF.
enum StaffEFacturaPage {
    enum Filter: Equatable {
        case all, overdue
        case state(EFacturaState)
    }

    static func model(
        _ items: [EFacturaSubmission], filter: Filter, counts: [EFacturaState?: Int], overdue: Int,
        credentials: StoredANAFCredentials?, staffNames: [Int64: String], configured: Bool, _ deps: AppDependencies
    ) -> [String: Any] {
        let today = deps.today()
        let tabs: [(Filter, String, Int)] =
            [(.all, "all", counts[nil] ?? 0), (.overdue, "overdue", overdue)]
            + EFacturaState.allCases.map {
                (.state($0), $0.rawValue.replacingOccurrences(of: "_", with: " "), counts[$0] ?? 0)
            }
        var model: [String: Any] = [
            "configured": configured,
            "states": tabs.map { tab in
                let query: String =
                    switch tab.0 {
                    case .all: ""
                    case .overdue: "?state=overdue"
                    case .state(let s): "?state=\(s.rawValue)"
                    }
                return [
                    "label": tab.1, "count": tab.2, "href": Paths.Staff.efactura + query, "current": tab.0 == filter,
                    "code": query.isEmpty ? "all" : String(query.dropFirst(7)),
                ] as [String: Any]
            },
            "items": items.map { s in
                var row: [String: Any] = [
                    "id": s.fiscalInvoiceID, "number": s.number, "issued": s.issueDate.description,
                    "deadline": s.deadline.description,
                    "overdue": s.isOverdue(today: today),
                    "state": s.state.rawValue.replacingOccurrences(of: "_", with: " "),
                    "stateCode": s.state.rawValue,
                    "index": s.uploadIndex ?? "—", "zip": s.hasResponseFile,
                    "canRequeue": s.state == .rejected && configured,
                ]
                // Absent, not empty: an empty string still opens a Mustache section.
                if let errors = s.errors { row["errors"] = errors }
                if let last = s.lastError { row["retry"] = "\(s.attempts) tries; last: \(last)" }
                return row
            },
            "hasItems": !items.isEmpty,
        ]
        if let c = credentials {
            model["connection"] =
                "Connected by \(StaffRoutes.who(c.connectedBy, staffNames)) on \(Formatting.timestamp(c.connectedAt, deps)); access token valid until \(Formatting.timestamp(c.accessExpiresAt, deps))"
                + (c.refreshedAt.map { ", last refreshed \(Formatting.timestamp($0, deps))" } ?? "") + "."
            if let refused = c.refused {
                model["refused"] =
                    "On \(Formatting.timestamp(refused.at, deps)) ANAF refused these tokens (\(refused.reason)): nothing is uploaded until you connect again."
            }
        }
        return model
    }
}
