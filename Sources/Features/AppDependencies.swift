import Domain
import Foundation
import Logging

/// Numbering series settings: proformas `PF-2026-000123`, fiscal invoices `HST2026-000001`.
public struct NumberingSettings: Sendable, Hashable {
    public var proformaPrefix: String
    public var fiscalPrefix: String

    public init(proformaPrefix: String = "PF", fiscalPrefix: String = "HST") {
        self.proformaPrefix = proformaPrefix
        self.fiscalPrefix = fiscalPrefix
    }
}

/// Everything a use case may touch, injected once. Tests swap the clock and random source.
public struct AppDependencies: Sendable {
    public let store: any Store
    public let clock: any TimeSource
    public let random: any RandomSource
    public let passwords: any PasswordHasher
    public let digest: any SecretDigest
    public let vat: VatRules
    public let policy: BillingPolicy
    public let numbering: NumberingSettings
    public let seller: Seller
    /// Billing days are civil days in this zone (Europe/Bucharest).
    public let timeZone: TimeZone
    public let logger: Logger

    public init(
        store: any Store, clock: any TimeSource, random: any RandomSource, passwords: any PasswordHasher,
        digest: any SecretDigest, vat: VatRules, policy: BillingPolicy, numbering: NumberingSettings, seller: Seller,
        timeZone: TimeZone, logger: Logger
    ) {
        self.store = store
        self.clock = clock
        self.random = random
        self.passwords = passwords
        self.digest = digest
        self.vat = vat
        self.policy = policy
        self.numbering = numbering
        self.seller = seller
        self.timeZone = timeZone
        self.logger = logger
    }

    /// The same dependencies with some replaced: a demo replay's own clock and a cheaper hasher, a test's hasher or
    /// random source, another seller.
    public func with(
        clock: (any TimeSource)? = nil, random: (any RandomSource)? = nil, passwords: (any PasswordHasher)? = nil,
        seller: Seller? = nil
    ) -> AppDependencies {
        AppDependencies(
            store: store, clock: clock ?? self.clock, random: random ?? self.random,
            passwords: passwords ?? self.passwords, digest: digest, vat: vat, policy: policy, numbering: numbering,
            seller: seller ?? self.seller, timeZone: timeZone, logger: logger)
    }

    /// Today's civil date in the billing time zone.
    public func today() -> CivilDate { civilDate(of: clock.now()) }

    /// The instant a daily task working for `day` stamps on holds and terminations: now when `day` is today, the
    /// start of `day` when catching up a missed day, so a replayed day leaves the same days as an on-time run.
    public func instant(on day: CivilDate) -> Date {
        let now = clock.now()
        return civilDate(of: now) == day ? now : startOfDay(day)
    }

    /// 00:00 of `day` in the billing time zone.
    public func startOfDay(_ day: CivilDate) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
    }

    public func civilDate(of instant: Date) -> CivilDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        return CivilDate(year: c.year!, month: c.month!, day: c.day!)!
    }
}

/// What a use case refuses, mapped to HTTP in one place per surface.
public enum UseCaseError: Error, Sendable, Equatable {
    case invalid(ValidationFailure)
    case notFound(String)
    /// The request is well-formed but the state forbids it (409).
    case conflict(rule: String, message: String)
}

/// What a person reads (the CLI, a billing run's failure list): the rule's message, field by field.
extension UseCaseError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalid(let failure): failure.errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        case .notFound(let what): "\(what) not found"
        case .conflict(_, let message): message
        }
    }
}

extension UseCaseError {
    public static func from(_ e: InvoicingError) -> UseCaseError {
        switch e {
        case .proformaNotUnpaid(let s):
            .conflict(
                rule: "proforma.not-unpaid",
                message: "This proforma is \(s.rawValue); only an unpaid proforma can be changed or paid.")
        case .currencyMismatch(let expected, let got):
            .invalid(
                ValidationFailure(
                    field: "currency", rule: "currency.mismatch",
                    message: "The proforma is in \(expected.rawValue), the payment in \(got.rawValue)."))
        case .nonPositiveAmount:
            .invalid(
                ValidationFailure(
                    field: "amount", rule: "amount.positive", message: "The amount must be greater than zero."))
        case .alreadyStornoed:
            .conflict(rule: "fiscal.already-stornoed", message: "This invoice has already been reversed.")
        case .stornoOfStorno:
            .conflict(rule: "fiscal.storno-of-storno", message: "A storno invoice cannot itself be reversed.")
        case .extensionNotLater(let current):
            .invalid(
                ValidationFailure(
                    field: "until", rule: "extension.not-later",
                    message: "Give a day after \(current), the due date in force."))
        case .reissueChangesTotals:
            .conflict(
                rule: "storno.reissue-changes-totals",
                message:
                    "The corrected billing data changes the VAT, so the amount the client paid: reverse the invoice with \"reopen\" instead, which bills the periods again."
            )
        }
    }

    static func from(_ e: ServiceTransitionError) -> UseCaseError {
        switch e {
        case .notAllowed(let from, let action):
            .conflict(rule: "service.transition", message: "A \(from.rawValue) service cannot \(action).")
        }
    }

    /// Maps a domain error to what the surfaces show; anything else passes through.
    static func mapping(_ e: any Error) -> any Error {
        switch e {
        case let e as InvoicingError: from(e)
        case let e as ServiceTransitionError: from(e)
        case let e as VatRules.Failure: from(e)
        default: e
        }
    }

    static func from(_ e: VatRules.Failure) -> UseCaseError {
        switch e {
        case .noRate(let country, let date):
            .conflict(rule: "vat.no-rate", message: "No VAT rate is known for \(country) on \(date).")
        }
    }
}

/// JSON text of a value, for audit before/after columns.
func auditJSON(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
}
