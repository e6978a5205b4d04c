import Documents
import Domain
import Features
import Foundation
import Hummingbird

/// The staff and integration JSON API under `/api/v1`, described by `/api/openapi.json`.
public struct BillingAPI: Sendable {
    let deps: AppDependencies
    let messages: any MessageStore
    let provisioning: any ProvisioningQueue
    let efactura: any EFacturaQueue

    public init(
        _ deps: AppDependencies, messages: any MessageStore, provisioning: any ProvisioningQueue,
        efactura: any EFacturaQueue
    ) {
        self.deps = deps
        self.messages = messages
        self.provisioning = provisioning
        self.efactura = efactura
    }

    public func register<Context: APIRequestContext>(on router: Router<Context>) {
        router.get("/api/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        let api = router.group("api/v1").add(middleware: APIErrorMiddleware()).add(
            middleware: APIKeyMiddleware(authenticate: AuthenticateAPIKey(deps))
        )
        .group(context: AuthenticatedAPIContext<Context>.self)
        let deps = self.deps

        // Clients and billing profiles
        api.get("clients") { req, _ in
            let q = req.uri.queryParameters.get("q")
            let items = try await ClientQueries(deps).search(q, limit: Self.limit(req), offset: Self.offset(req))
            return APIResponses.json(ListDTO(items: items))
        }
        api.post("clients") { req, ctx in
            let b = try await Self.decode(NewClientBody.self, req)
            let c = try await RegisterClient(deps)(
                try ClientRegistration.parse(
                    email: b.email, password: b.password, phone: b.phone, language: b.language ?? "en",
                    smsOptIn: b.smsOptIn ?? false, profile: b.profile.draft, timeZone: b.timeZone), source: .api,
                actor: ctx.actor)
            return APIResponses.json(try await Self.client(c.id, deps), status: .created)
        }
        api.get("clients/:id") { req, ctx in
            APIResponses.json(try await Self.client(try ctx.parameters.require("id", as: Int64.self), deps))
        }
        // The credit ledger: balances by currency and the movements, newest first.
        api.get("clients/:id/credit") { req, ctx in
            let id = try ctx.parameters.require("id", as: Int64.self)
            let credit = try await PaymentQueries(deps).credit(
                clientID: id, limit: Self.limit(req), offset: Self.offset(req))
            return APIResponses.json(CreditDTO(clientId: id, credit))
        }
        api.post("clients/:id/credit/refunds") { req, ctx in
            let id = try ctx.parameters.require("id", as: Int64.self)
            let b = try await Self.decode(CreditRefundBody.self, req)
            _ = try await RefundCredit(deps)(
                clientID: id, try .parse(amount: b.amount, currency: b.currency, reference: b.reference),
                actor: ctx.actor)
            let credit = try await PaymentQueries(deps).credit(clientID: id, limit: 100)
            return APIResponses.json(CreditDTO(clientId: id, credit), status: .created)
        }
        api.get("clients/:id/billing-profiles") { _, ctx in
            let id = try ctx.parameters.require("id", as: Int64.self)
            return APIResponses.json(ListDTO(items: try await Self.client(id, deps).profiles))
        }
        api.post("clients/:id/billing-profiles") { req, ctx in
            let b = try await Self.decode(NewProfileBody.self, req)
            let p = try await AddBillingProfile(deps)(
                clientID: try ctx.parameters.require("id", as: Int64.self), draft: b.party.draft,
                makeDefault: b.makeDefault ?? false, actor: ctx.actor)
            return APIResponses.json(ProfileDTO(p), status: .created)
        }
        api.get("clients/:id/services") { _, ctx in
            APIResponses.json(
                ListDTO(
                    items: try await ServiceQueries(deps).services(
                        clientID: try ctx.parameters.require("id", as: Int64.self)
                    ).map(ServiceDTO.init)))
        }

        // Notifications: what each client was sent, with delivery state (staff investigate complaints here).
        let messages = self.messages
        api.get("clients/:id/messages") { req, ctx in
            let id = try ctx.parameters.require("id", as: Int64.self)
            _ = try await Self.client(id, deps)
            return APIResponses.json(
                ListDTO(
                    items: try await messages.messages(clientID: id, status: nil, limit: Self.limit(req)).map(
                        MessageDTO.init)))
        }
        api.get("messages") { req, _ in
            let status = try Self.optionalEnum(req, "status", MessageStatus.self, rule: "message.status")
            return APIResponses.json(
                ListDTO(
                    items: try await messages.messages(clientID: nil, status: status, limit: Self.limit(req)).map(
                        MessageDTO.init)))
        }

        // Catalog
        api.get("plans") { _, _ in
            APIResponses.json(ListDTO(items: try await ServiceQueries(deps).plans().map(PlanDTO.init)))
        }
        for (path, retired) in [("retire", true), ("on-sale", false)] {
            api.post("plans/:id/\(path)") { _, ctx in
                APIResponses.json(
                    PlanDTO(
                        try await RetireHostingPlan(deps)(
                            planID: try ctx.parameters.require("id", as: Int64.self), retired: retired,
                            actor: ctx.actor)))
            }
        }
        api.put("plans/:id") { req, ctx in
            let id = try ctx.parameters.require("id", as: Int64.self)
            let b = try await Self.decode(PlanUpdateBody.self, req)
            let plan = try await ServiceQueries(deps).plan(id: id)
            return APIResponses.json(
                PlanDTO(
                    try await UpdateHostingPlan(deps)(
                        planID: id,
                        try .parse(
                            code: plan.code, name: b.name, description: b.description ?? plan.description,
                            currency: plan.currency.rawValue, prices: b.prices, provisioner: b.provisioner),
                        actor: ctx.actor)))
        }
        api.post("plans") { req, ctx in
            let b = try await Self.decode(NewPlanBody.self, req)
            return APIResponses.json(
                PlanDTO(
                    try await CreateHostingPlan(deps)(
                        try .parse(
                            code: b.code, name: b.name, description: b.description ?? "", currency: b.currency,
                            prices: b.prices, provisioner: b.provisioner), actor: ctx.actor)), status: .created)
        }

        // Orders and services
        api.post("orders") { req, ctx in
            let b = try await Self.decode(NewOrderBody.self, req)
            let r = try await PlaceOrder(deps)(
                clientID: b.clientId, try b.orderItems(), billingProfileID: b.billingProfileId, actor: ctx.actor)
            return APIResponses.json(
                OrderOut(
                    service: ServiceDTO(r.service), services: r.services.map(ServiceDTO.init),
                    proforma: ProformaDTO(r.proforma)), status: .created)
        }
        // Ending services: at the end of the paid period (and taking that back), or at once.
        api.post("services/:id/cancel") { _, ctx in
            APIResponses.json(
                ServiceDTO(
                    try await CancelService(deps).atPeriodEnd(
                        serviceID: try ctx.parameters.require("id", as: Int64.self), ownedBy: nil, actor: ctx.actor)))
        }
        api.post("services/:id/cancel/withdraw") { _, ctx in
            APIResponses.json(
                ServiceDTO(
                    try await CancelService(deps).withdraw(
                        serviceID: try ctx.parameters.require("id", as: Int64.self), ownedBy: nil, actor: ctx.actor)))
        }
        api.post("services/:id/change-plan") { req, ctx in
            let b = try await Self.decode(ChangePlanBody.self, req)
            let o = try await ChangePlan(deps)(
                serviceID: try ctx.parameters.require("id", as: Int64.self), ownedBy: nil, planID: b.planId,
                actor: ctx.actor)
            return APIResponses.json(PlanChangeOut(o))
        }
        api.post("services/:id/terminate") { req, ctx in
            let b = try await Self.decode(TerminateBody.self, req)
            return APIResponses.json(
                ServiceDTO(
                    try await CancelService(deps).terminateNow(
                        serviceID: try ctx.parameters.require("id", as: Int64.self), reason: b.reason,
                        actor: ctx.actor)))
        }
        api.get("services/:id") { _, ctx in
            APIResponses.json(
                ServiceDTO(try await ServiceQueries(deps).service(id: try ctx.parameters.require("id", as: Int64.self)))
            )
        }
        // The hosting server: each service's provisioning jobs, and staff's way out of a failed one.
        api.get("services/:id/provisioning") { _, ctx in
            let id = try ctx.parameters.require("id", as: Int64.self)
            let state = try await ServiceQueries(deps).provisioning(serviceID: id)
            return APIResponses.json(ServerStateDTO(serviceID: id, provisioner: state.provisioner, jobs: state.jobs))
        }
        let provisioning = self.provisioning
        for (path, resolution) in [("retry", ResolveFailedProvisioningJob.Resolution.retry), ("done", .doneByHand)] {
            api.post("provisioning-jobs/:id/\(path)") { _, ctx in
                try await ResolveFailedProvisioningJob(deps, queue: provisioning)(
                    jobID: try ctx.parameters.require("id", as: Int64.self), resolution, actor: ctx.actor)
                return Response(status: .noContent)
            }
        }
        api.post("services/:id/suspensions") { req, ctx in
            let b = try await Self.decode(SuspendBody.self, req)
            return APIResponses.json(
                ServiceDTO(
                    try await SuspendService(deps)(
                        serviceID: try ctx.parameters.require("id", as: Int64.self), reason: b.reason, note: b.note,
                        actor: ctx.actor)), status: .created)
        }
        api.post("services/:id/unsuspend") { req, ctx in
            let b = try await Self.decode(UnsuspendBody.self, req)
            return APIResponses.json(
                ServiceDTO(
                    try await UnsuspendService(deps)(
                        serviceID: try ctx.parameters.require("id", as: Int64.self), holdID: b.holdId, reason: b.reason,
                        actor: ctx.actor)))
        }

        // Proformas
        api.get("proformas") { req, _ in
            let client = req.uri.queryParameters.get("clientId", as: Int64.self)
            let state = req.uri.queryParameters.get("state").flatMap(ProformaState.init(rawValue:))
            let items = try await InvoiceQueries(deps).proformas(
                clientID: client, state: state, limit: Self.limit(req), offset: Self.offset(req))
            return APIResponses.json(ListDTO(items: items.map(ProformaDTO.init)))
        }
        api.get("proformas/:id") { _, ctx in
            APIResponses.json(
                ProformaDTO(try await Self.proforma(try ctx.parameters.require("id", as: Int64.self), deps)))
        }
        api.get("proformas/:id/pdf") { _, ctx in
            let p = try await Self.proforma(try ctx.parameters.require("id", as: Int64.self), deps)
            return Self.pdf(InvoicePDF.render(p, seller: deps.seller), name: p.number)
        }
        api.post("proformas/:id/payments") { req, ctx in
            let b = try await Self.decode(NewPaymentBody.self, req)
            // The key in the body, or the usual Idempotency-Key header.
            let key =
                b.idempotencyKey ?? req.headers.first(where: { $0.name.canonicalName == "idempotency-key" })?.value
            let input = try RecordPayment.Input.parse(
                amount: b.amount, currency: b.currency, method: b.method, receivedOn: b.receivedOn,
                reference: b.reference, idempotencyKey: key, today: deps.today())
            let o = try await RecordPayment(deps)(
                proformaID: try ctx.parameters.require("id", as: Int64.self), input, actor: ctx.actor)
            return APIResponses.json(
                PaymentOutcomeDTO(
                    paymentId: o.paymentID, alreadyRecorded: o.alreadyRecorded, proforma: ProformaDTO(o.proforma),
                    fiscalInvoice: o.fiscalInvoice.map(FiscalInvoiceDTO.init),
                    credit: Money.format(minor: o.creditMinor)), status: o.alreadyRecorded ? .ok : .created)
        }
        // Payments: what arrived, by client, proforma, method and day (staff and accounting reconcile here).
        api.get("payments") { req, _ in
            let q = req.uri.queryParameters
            let filter = try PaymentFilter.parse(
                clientID: try Self.optionalInt(req, "clientId"), proformaID: try Self.optionalInt(req, "proformaId"),
                method: q.get("method"), receivedFrom: q.get("from"), receivedThrough: q.get("to"))
            let items = try await PaymentQueries(deps).list(filter, limit: Self.limit(req), offset: Self.offset(req))
            return APIResponses.json(ListDTO(items: items.map(PaymentDTO.init)))
        }
        api.post("proformas/:id/extension") { req, ctx in
            let b = try await Self.decode(ExtensionBody.self, req)
            return APIResponses.json(
                ProformaDTO(
                    try await ExtendPaymentDeadline(deps)(
                        proformaID: try ctx.parameters.require("id", as: Int64.self), until: b.until, note: b.note,
                        actor: ctx.actor)))
        }
        api.post("proformas/:id/cancel") { _, ctx in
            APIResponses.json(
                ProformaDTO(
                    try await CancelProforma(deps)(
                        proformaID: try ctx.parameters.require("id", as: Int64.self), actor: ctx.actor)))
        }
        api.put("proformas/:id/billing-data") { req, ctx in
            let b = try await Self.decode(BillingDataBody.self, req)
            let buyer: EditProformaBillingData.NewBuyer
            if let pid = b.billingProfileId {
                buyer = .profile(pid)
            } else if let party = b.party {
                buyer = .data(party.draft, saveAsProfile: b.saveAsProfile ?? false)
            } else {
                throw ValidationFailure(
                    field: "billingProfileId", rule: "required", message: "Give billingProfileId or party.")
            }
            return APIResponses.json(
                ProformaDTO(
                    try await EditProformaBillingData(deps)(
                        proformaID: try ctx.parameters.require("id", as: Int64.self), clientID: nil, buyer: buyer,
                        actor: ctx.actor)))
        }

        // Fiscal invoices: readable and reversible, never editable.
        api.get("fiscal-invoices") { req, _ in
            let client = req.uri.queryParameters.get("clientId", as: Int64.self)
            return APIResponses.json(
                ListDTO(
                    items: try await InvoiceQueries(deps).fiscalInvoices(
                        clientID: client, limit: Self.limit(req), offset: Self.offset(req)
                    ).map(FiscalInvoiceDTO.init)))
        }
        api.get("fiscal-invoices/:id") { _, ctx in
            let id = try ctx.parameters.require("id", as: Int64.self)
            let f = try await InvoiceQueries(deps).fiscalInvoice(id: id)
            return APIResponses.json(FiscalInvoiceDTO(f))
        }
        api.get("fiscal-invoices/:id/pdf") { _, ctx in
            let id = try ctx.parameters.require("id", as: Int64.self)
            let f = try await InvoiceQueries(deps).fiscalInvoice(id: id)
            return Self.pdf(InvoicePDF.render(f), name: f.displayNumber)
        }
        api.get("fiscal-invoices/:id/efactura.xml") { _, ctx in
            let id = try ctx.parameters.require("id", as: Int64.self)
            let f = try await InvoiceQueries(deps).fiscalInvoice(id: id)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/xml; charset=utf-8",
                    .contentDisposition: "attachment; filename=\"\(f.displayNumber).xml\"",
                ],
                body: .init(byteBuffer: ByteBuffer(string: EFactura.xml(f))))
        }
        // ANAF's answer kept for the archive: the signed invoice (accepted) or the error file (rejected).
        api.get("fiscal-invoices/:id/efactura-anaf.zip") { _, ctx in
            let id = try ctx.parameters.require("id", as: Int64.self)
            let f = try await InvoiceQueries(deps).fiscalInvoice(id: id)
            guard let zip = try await efactura.responseFile(fiscalInvoiceID: id) else {
                throw UseCaseError.notFound("ANAF file")
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/zip",
                    .contentDisposition: "attachment; filename=\"\(f.displayNumber)-anaf.zip\"",
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: zip)))
        }
        // e-Factura: what must still go to ANAF, and by when.
        api.get("efactura") { req, _ in
            let state = try Self.optionalEnum(req, "state", EFacturaState.self, rule: "efactura.state")
            let today = deps.today()
            let items = try await InvoiceQueries(deps).efacturaSubmissions(state: state, limit: Self.limit(req))
            return APIResponses.json(ListDTO(items: items.map { EFacturaDTO($0, today: today) }))
        }
        let immutable: @Sendable (Request, AuthenticatedAPIContext<Context>) async throws -> Response = { _, ctx in
            let id = try ctx.parameters.require("id", as: Int64.self)
            _ = try await InvoiceQueries(deps).fiscalInvoice(id: id)
            throw UseCaseError.conflict(
                rule: "fiscal.immutable",
                message: "A fiscal invoice can never be edited or deleted; issue a storno instead.")
        }
        api.put("fiscal-invoices/:id", use: immutable)
        api.patch("fiscal-invoices/:id", use: immutable)
        api.delete("fiscal-invoices/:id", use: immutable)
        api.post("fiscal-invoices/:id/storno") { req, ctx in
            let b = try await Self.decode(StornoBody.self, req)
            let result = try await StornoFiscalInvoice(deps)(
                fiscalInvoiceID: try ctx.parameters.require("id", as: Int64.self), then: b.then,
                billingProfileID: b.billingProfileId, actor: ctx.actor)
            return APIResponses.json(StornoOutcomeDTO(result, then: b.then ?? ""), status: .created)
        }

        // Billing runs and rates
        api.get("billing-runs") { req, _ in
            APIResponses.json(ListDTO(items: try await InvoiceQueries(deps).billingRuns(limit: Self.limit(req))))
        }
        api.post("billing-runs") { req, _ in
            let b = try await Self.decode(BillingRunBody.self, req)
            guard let asOf = CivilDate(b.asOf) else {
                throw ValidationFailure(field: "asOf", rule: "date.format", message: "Use YYYY-MM-DD.")
            }
            return APIResponses.json(try await RunBilling(deps)(asOf: asOf), status: .created)
        }
        api.post("exchange-rates") { req, ctx in
            let b = try await Self.decode(ExchangeRateBody.self, req)
            let r = try await SetExchangeRate(deps)(
                try SetExchangeRate.parse(currency: b.currency, rate: b.rate, date: b.date), actor: ctx.actor)
            return APIResponses.json(
                ExchangeRateOut(currency: r.currency.rawValue, rate: r.rateString, date: r.date.description),
                status: .created)
        }
    }

    /// A download named after the document's number (numbers are ours: letters, digits and dashes).
    static func pdf(_ bytes: [UInt8], name: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/pdf", .contentDisposition: "attachment; filename=\"\(name).pdf\""],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// An optional query filter naming one case of `E`; any other value is a field error listing the cases.
    static func optionalEnum<E: RawRepresentable & CaseIterable>(
        _ req: Request, _ name: String, _: E.Type, rule: String
    ) throws -> E? where E.RawValue == String {
        guard let raw = req.uri.queryParameters.get(name) else { return nil }
        guard let value = E(rawValue: raw) else {
            throw ValidationFailure(
                field: name, rule: rule,
                message: "\(name) is one of: " + E.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }

    /// An integer query parameter, absent or valid; anything else is a 422 naming it.
    static func optionalInt(_ req: Request, _ name: String) throws -> Int64? {
        guard let text = req.uri.queryParameters.get(name) else { return nil }
        guard let value = Int64(text) else {
            throw ValidationFailure(field: name, rule: "type", message: "Give a whole number.")
        }
        return value
    }

    static func limit(_ req: Request) -> Int {
        min(max(req.uri.queryParameters.get("limit", as: Int.self) ?? 50, 1), 500)
    }
    static func offset(_ req: Request) -> Int { max(req.uri.queryParameters.get("offset", as: Int.self) ?? 0, 0) }

    static func decode<T: Decodable>(_ type: T.Type, _ req: Request) async throws -> T {
        let buffer = try await req.body.collect(upTo: 1 << 20)
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw ValidationFailure(
                field: (ctx.codingPath + [key]).map(\.stringValue).joined(separator: "."), rule: "required",
                message: "This field is required.")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw ValidationFailure(
                field: ctx.codingPath.map(\.stringValue).joined(separator: "."), rule: "type",
                message: "This field has the wrong type.")
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw ValidationFailure(
                field: ctx.codingPath.map(\.stringValue).joined(separator: "."), rule: "required",
                message: "This field may not be null.")
        } catch {
            throw ValidationFailure(field: "body", rule: "json", message: "The body must be a JSON object.")
        }
    }

    static func client(_ id: Int64, _ deps: AppDependencies) async throws -> ClientDTO {
        let (client, profiles) = try await ClientQueries(deps).withProfiles(id: id)
        return ClientDTO(client, profiles: profiles)
    }

    static func proforma(_ id: Int64, _ deps: AppDependencies) async throws -> ProformaInvoice {
        try await InvoiceQueries(deps).proforma(id: id)
    }
}

struct OrderOut: Codable, Sendable {
    /// The first service ordered (all of them are in `services`).
    let service: ServiceDTO
    let services: [ServiceDTO]
    let proforma: ProformaDTO
}
struct ExchangeRateOut: Codable, Sendable {
    let currency: String
    let rate: String
    let date: String
}
