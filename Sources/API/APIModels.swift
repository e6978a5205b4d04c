import Domain
import Features
import Foundation

/// Wire shapes of the JSON API. Amounts are decimal strings ("121.00") with their currency, never floats.
struct AmountDTO: Codable, Sendable {
    let amount: String
    let currency: String
    init(_ m: Money) {
        amount = m.decimalString
        currency = m.currency.rawValue
    }
}

struct BillingPartyDTO: Codable, Sendable {
    let kind: String
    let name: String
    let street: String
    let city: String
    let county: String?
    let postalCode: String?
    let country: String
    let cnp: String?
    let cui: String?
    let tradeRegisterNumber: String?
    let vatNumber: String?

    init(_ p: BillingParty) {
        kind = p.kind.rawValue
        name = p.name
        street = p.address.street
        city = p.address.city
        county = p.address.county
        postalCode = p.address.postalCode
        country = p.address.country
        switch p {
        case .person(let person):
            cnp = person.cnp?.value
            cui = nil
            tradeRegisterNumber = nil
            vatNumber = nil
        case .legalEntity(let e):
            cnp = nil
            cui = e.registrationCode
            tradeRegisterNumber = e.tradeRegisterNumber
            vatNumber = e.vatNumber?.description
        }
    }

    var draft: BillingPartyDraft {
        BillingPartyDraft(
            kind: kind, name: name, street: street, city: city, county: county, postalCode: postalCode,
            country: country, cnp: cnp, cui: cui, tradeRegisterNumber: tradeRegisterNumber, vatNumber: vatNumber)
    }
}

struct ProfileDTO: Codable, Sendable {
    let id: Int64
    let isDefault: Bool
    let party: BillingPartyDTO
    init(_ p: BillingProfile) {
        id = p.id
        isDefault = p.isDefault
        party = BillingPartyDTO(p.party)
    }
}

struct ClientDTO: Codable, Sendable {
    let id: Int64
    let email: String
    let phone: String?
    let language: String
    let smsOptIn: Bool
    let smsConsentAt: Date?
    let smsConsentSource: String?
    let timeZone: String?
    let profiles: [ProfileDTO]
    init(_ c: Client, profiles: [BillingProfile]) {
        id = c.id
        email = c.email.value
        phone = c.phone?.e164
        language = c.language.rawValue
        timeZone = c.timeZone?.identifier
        smsOptIn = c.sms.optedIn
        smsConsentAt = c.sms.changedAt
        smsConsentSource = c.sms.source?.rawValue
        self.profiles = profiles.map(ProfileDTO.init)
    }
}

struct PlanDTO: Codable, Sendable {
    let id: Int64
    let code: String
    let name: String
    let currency: String
    let prices: [String: String]
    let provisioner: String?
    let retired: Bool
    let description: String
    init(_ p: HostingPlan) {
        retired = p.retired
        description = p.description
        id = p.id
        code = p.code
        name = p.name
        currency = p.currency.rawValue
        provisioner = p.provisioner
        prices = Dictionary(uniqueKeysWithValues: p.prices.map { ($0.key.rawValue, Money.format(minor: $0.value)) })
    }
}

struct HoldDTO: Codable, Sendable {
    let id: Int64
    let reason: String
    let placedBy: String
    let placedAt: Date
    let note: String?
    let proformaId: Int64?
    init(_ h: Hold) {
        id = h.id
        reason = h.reason.rawValue
        placedBy = h.placedBy.description
        placedAt = h.placedAt
        note = h.note
        proformaId = h.proformaID
    }
}

struct ServiceDTO: Codable, Sendable {
    let id: Int64
    let clientId: Int64
    let planId: Int64
    let domain: String
    let cycle: String
    let price: AmountDTO
    let state: String
    let nextDueDate: String
    let holds: [HoldDTO]
    /// The last day of a service cancelled at the end of its paid period.
    let endsOn: String?
    /// A cheaper plan that takes over with the next renewal.
    let scheduledPlanId: Int64?
    init(_ s: HostingService) {
        endsOn = s.endsOn?.description
        scheduledPlanId = s.scheduledChange?.planID
        id = s.id
        clientId = s.clientID
        planId = s.planID
        domain = s.domain
        cycle = s.cycle.rawValue
        price = AmountDTO(s.price)
        state = s.state.rawValue
        nextDueDate = s.nextDueDate.description
        holds = s.holds.map(HoldDTO.init)
    }
}

struct LineDTO: Codable, Sendable {
    let description: String
    let serviceId: Int64?
    let periodStart: String?
    let periodEnd: String?
    let quantity: Int64
    let unitPrice: String
    let net: String
    init(_ l: InvoiceLine) {
        description = l.description
        serviceId = l.serviceID
        periodStart = l.period?.start.description
        periodEnd = l.period?.end.description
        quantity = l.quantity
        unitPrice = Money.format(minor: l.unitPriceMinor)
        net = Money.format(minor: l.netMinor)
    }
}

struct VatDTO: Codable, Sendable {
    let category: String
    let rate: String
    let taxable: String
    let vat: String
    init(_ s: VatSubtotal) {
        category = s.category.rawValue
        rate = Money.format(minor: Int64(s.basisPoints))
        taxable = Money.format(minor: s.taxableMinor)
        vat = Money.format(minor: s.vatMinor)
    }
}

struct ProformaDTO: Codable, Sendable {
    let id: Int64
    let number: String
    let clientId: Int64
    let origin: String
    let state: String
    let currency: String
    let issueDate: String
    let dueDate: String
    /// The payment extension staff granted, when there is one: dunning counts from it.
    let extendedDueDate: String?
    let version: Int
    let buyer: BillingPartyDTO
    let vatMention: String?
    let lines: [LineDTO]
    let vat: [VatDTO]
    let net: String
    let vatTotal: String
    let total: String
    let paid: String
    let open: String
    init(_ p: ProformaInvoice) {
        let t = p.totals
        id = p.id
        number = p.number
        clientId = p.clientID
        origin = p.origin.rawValue
        state = p.state.rawValue
        currency = p.currency.rawValue
        issueDate = p.issueDate.description
        dueDate = p.dueDate.description
        extendedDueDate = p.extendedDueDate?.description
        version = p.version
        buyer = BillingPartyDTO(p.buyer)
        vatMention = p.vat.mention
        lines = p.lines.map(LineDTO.init)
        vat = t.subtotals.map(VatDTO.init)
        net = t.net.decimalString
        vatTotal = t.vat.decimalString
        total = t.gross.decimalString
        paid = Money.format(minor: p.paidMinor)
        open = Money.format(minor: p.openMinor)
    }
}

struct FiscalInvoiceDTO: Codable, Sendable {
    let id: Int64
    let number: String
    let series: String
    let sequence: Int64
    let kind: String
    let clientId: Int64
    let proformaNumber: String?
    let correctsNumber: String?
    let issueDate: String
    let currency: String
    let buyer: BillingPartyDTO
    let vatMention: String?
    let lines: [LineDTO]
    let vat: [VatDTO]
    let net: String
    let vatTotal: String
    let total: String
    let vatRON: String
    let exchangeRate: String?
    let exchangeRateDate: String?
    init(_ f: FiscalInvoice) {
        id = f.id
        number = f.displayNumber
        series = f.series
        sequence = f.number
        kind = f.kind.rawValue
        clientId = f.clientID
        proformaNumber = f.proformaNumber
        correctsNumber = f.correctsNumber
        issueDate = f.issueDate.description
        currency = f.currency.rawValue
        buyer = BillingPartyDTO(f.buyer)
        vatMention = f.vat.mention
        lines = f.lines.map(LineDTO.init)
        vat = f.totals.subtotals.map(VatDTO.init)
        net = f.totals.net.decimalString
        vatTotal = f.totals.vat.decimalString
        total = f.totals.gross.decimalString
        vatRON = Money.format(minor: f.vatRONMinor)
        exchangeRate = f.exchangeRate?.rateString
        exchangeRateDate = f.exchangeRate?.date.description
    }
}

struct PaymentOutcomeDTO: Codable, Sendable {
    let paymentId: Int64?
    let alreadyRecorded: Bool
    let proforma: ProformaDTO
    let fiscalInvoice: FiscalInvoiceDTO?
    let credit: String
}

struct PaymentDTO: Codable, Sendable {
    let id: Int64
    let proformaId: Int64
    let clientId: Int64
    let amount: String
    let currency: String
    let method: String
    let reference: String?
    let receivedOn: String
    let recordedBy: String
    let reversedAt: Date?

    init(_ p: PaymentRecord) {
        id = p.id
        proformaId = p.proformaID
        clientId = p.clientID
        amount = p.amount.decimalString
        currency = p.amount.currency.rawValue
        method = p.method.rawValue
        reference = p.gatewayReference
        receivedOn = p.receivedOn.description
        recordedBy = p.recordedBy
        reversedAt = p.reversedAt
    }
}

struct ListDTO<T: Codable & Sendable>: Codable, Sendable {
    let items: [T]
}

// Request bodies

struct NewClientBody: Decodable {
    let email: String
    let password: String
    let phone: String?
    let language: String?
    let smsOptIn: Bool?
    let timeZone: String?
    let profile: BillingPartyDTO
}

struct NewProfileBody: Decodable {
    let party: BillingPartyDTO
    let makeDefault: Bool?
}

struct NewPlanBody: Decodable {
    let code: String
    let name: String
    let description: String?
    let currency: String
    let prices: [String: String]
    let provisioner: String?
}

struct NewOrderBody: Decodable {
    struct Item: Decodable {
        let planId: Int64
        let cycle: String
        let domain: String
    }
    let clientId: Int64
    let planId: Int64?
    let cycle: String?
    let domain: String?
    /// Several services on one proforma; instead of planId, cycle and domain.
    let items: [Item]?
    let billingProfileId: Int64?

    /// The items, or the one service the top-level fields name; field errors name `items[k].cycle`.
    func orderItems() throws -> [PlaceOrder.Item] {
        if let items {
            guard planId == nil, cycle == nil, domain == nil else {
                throw UseCaseError.invalid(
                    ValidationFailure(
                        field: "items", rule: "order.items-or-fields",
                        message: "Give either items or planId, cycle and domain, not both."))
            }
            var errors: [FieldError] = []
            var parsed: [PlaceOrder.Item] = []
            for (k, item) in items.enumerated() {
                do {
                    parsed.append(try .parse(planID: item.planId, cycle: item.cycle, domain: item.domain))
                } catch UseCaseError.invalid(let failure) {
                    errors += failure.errors.map {
                        FieldError(field: "items[\(k)].\($0.field)", rule: $0.rule, message: $0.message)
                    }
                }
            }
            guard errors.isEmpty else { throw UseCaseError.invalid(ValidationFailure(errors)) }
            return parsed
        }
        var missing: [FieldError] = []
        for (name, value) in [("planId", planId.map(String.init)), ("cycle", cycle), ("domain", domain)]
        where value == nil {
            missing.append(FieldError(field: name, rule: "required", message: "This field is required."))
        }
        guard missing.isEmpty, let planId, let cycle, let domain else {
            throw UseCaseError.invalid(ValidationFailure(missing))
        }
        return [try .parse(planID: planId, cycle: cycle, domain: domain)]
    }
}

struct ChangePlanBody: Decodable {
    let planId: Int64
}

struct PlanChangeOut: Codable, Sendable {
    let service: ServiceDTO
    /// `now`, `at_renewal` or `unchanged`.
    let effect: String
    /// For `at_renewal`: the first day of the period billed on the new plan.
    let from: String?
    let proforma: ProformaDTO?
    init(_ o: ChangePlan.Outcome) {
        service = ServiceDTO(o.service)
        proforma = o.proforma.map(ProformaDTO.init)
        switch o.effect {
        case .now:
            effect = "now"
            from = nil
        case .atRenewal(let day):
            effect = "at_renewal"
            from = day.description
        case .unchanged:
            effect = "unchanged"
            from = nil
        }
    }
}

struct TerminateBody: Decodable {
    let reason: String
}

struct CreditRefundBody: Decodable {
    let amount: String
    let currency: String
    let reference: String
}

struct PlanUpdateBody: Decodable {
    let name: String
    let description: String?
    let prices: [String: String]
    let provisioner: String?
}

struct CreditDTO: Codable, Sendable {
    struct Entry: Codable, Sendable {
        let id: Int64
        let amount: AmountDTO
        let paymentId: Int64?
        let note: String
        let at: Date
    }
    let clientId: Int64
    let balances: [AmountDTO]
    let entries: [Entry]

    init(clientId: Int64, _ credit: PaymentQueries.Credit) {
        self.clientId = clientId
        balances = credit.balances.map(AmountDTO.init)
        entries = credit.entries.map {
            Entry(id: $0.id, amount: AmountDTO($0.amount), paymentId: $0.paymentID, note: $0.note, at: $0.at)
        }
    }
}

struct NewPaymentBody: Decodable {
    let amount: String
    let currency: String
    let method: String
    let reference: String?
    let receivedOn: String?
    let idempotencyKey: String?
}

struct SuspendBody: Decodable {
    let reason: String
    let note: String?
}

struct UnsuspendBody: Decodable {
    let holdId: Int64?
    let reason: String?
}

struct StornoBody: Decodable {
    let then: String?
    let billingProfileId: Int64?
}

struct StornoOutcomeDTO: Encodable, Sendable {
    let storno: FiscalInvoiceDTO
    let then: String
    let reissued: FiscalInvoiceDTO?
    let reopened: ProformaDTO?
    let endedServiceIds: [Int64]

    init(_ r: StornoFiscalInvoice.Result, then: String) {
        storno = FiscalInvoiceDTO(r.storno)
        self.then = then
        reissued = r.reissued.map(FiscalInvoiceDTO.init)
        reopened = r.reopened.map(ProformaDTO.init)
        endedServiceIds = r.endedServiceIDs
    }

    // Absent follow-ups are null, as the schema says.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(storno, forKey: .storno)
        try c.encode(then, forKey: .then)
        try c.encode(reissued, forKey: .reissued)
        try c.encode(reopened, forKey: .reopened)
        try c.encode(endedServiceIds, forKey: .endedServiceIds)
    }
    enum CodingKeys: String, CodingKey { case storno, then, reissued, reopened, endedServiceIds }
}

struct ExtensionBody: Decodable {
    let until: String
    let note: String?
}

struct BillingDataBody: Decodable {
    let billingProfileId: Int64?
    let party: BillingPartyDTO?
    let saveAsProfile: Bool?
}

struct BillingRunBody: Decodable {
    let asOf: String
}

struct ExchangeRateBody: Decodable {
    let currency: String
    let rate: String
    let date: String
}

struct MessageDTO: Codable, Sendable {
    let id: Int64
    let clientId: Int64
    let channel: String
    let event: String
    let status: String
    let attempts: Int
    let recipient: String?
    let subject: String?
    let encoding: String?
    let parts: Int?
    let providerIds: [String]
    let lastError: String?
    let deliveryReport: String?
    let createdAt: Date
    let sentAt: Date?
    let nextAttemptAt: Date
    init(_ m: StoredMessage) {
        id = m.id
        clientId = m.clientID
        channel = m.channel.rawValue
        event = m.eventKind
        status = m.status.rawValue
        attempts = m.attempts
        recipient = m.recipient
        subject = m.subject
        encoding = m.encoding
        parts = m.parts
        providerIds = m.providerIDs
        lastError = m.lastError
        deliveryReport = m.deliveryReport
        createdAt = m.createdAt
        sentAt = m.sentAt
        nextAttemptAt = m.nextAttemptAt
    }
}

struct EFacturaDTO: Codable, Sendable {
    let fiscalInvoiceId: Int64
    let number: String
    let issueDate: String
    let deadline: String
    let state: String
    let overdue: Bool
    let uploadIndex: String?
    let errors: String?
    let attempts: Int
    let lastError: String?
    let anafFile: Bool
    init(_ s: EFacturaSubmission, today: CivilDate) {
        fiscalInvoiceId = s.fiscalInvoiceID
        number = s.number
        issueDate = s.issueDate.description
        deadline = s.deadline.description
        state = s.state.rawValue
        uploadIndex = s.uploadIndex
        errors = s.errors
        overdue = s.isOverdue(today: today)
        attempts = s.attempts
        lastError = s.lastError
        anafFile = s.hasResponseFile
    }
}

struct ProvisioningJobDTO: Codable, Sendable {
    let id: Int64
    let action: String
    let reason: String?
    let status: String
    let attempts: Int
    let lastError: String?
    let createdAt: Date
    let updatedAt: Date
    init(_ j: ProvisioningJob) {
        id = j.id
        action = j.action.rawValue
        reason = j.payload["reason"]
        status = j.status.rawValue
        attempts = j.attempts
        lastError = j.lastError
        createdAt = j.createdAt
        updatedAt = j.updatedAt
    }
}

/// Where the hosting server stands for a service: in sync, pending (jobs waiting) or failed (staff must act).
struct ServerStateDTO: Codable, Sendable {
    let serviceId: Int64
    let provisioner: String?
    let state: String
    let jobs: [ProvisioningJobDTO]
    init(serviceID: Int64, provisioner: String?, jobs: [ProvisioningJob]) {
        serviceId = serviceID
        self.provisioner = provisioner
        self.jobs = jobs.map(ProvisioningJobDTO.init)
        if provisioner == nil {
            state = "manual"
        } else if jobs.contains(where: { $0.status == .failed }) {
            state = "failed"
        } else if jobs.contains(where: { $0.status != .done }) {
            state = "pending"
        } else {
            state = "in_sync"
        }
    }
}
