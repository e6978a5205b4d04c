import Foundation

/// What happened to a client that a message may tell them about. Stored in the outbox by its raw value.
public enum NotificationEvent: String, Sendable, Codable, CaseIterable {
    case proformaIssued = "proforma.issued"
    case paymentConfirmed = "payment.confirmed"
    case serviceSuspended = "service.suspended"
    case serviceReactivated = "service.reactivated"
    case overdueReminder = "proforma.overdue_reminder"
    case serviceTerminated = "service.terminated"
    /// The client (or staff for them) cancelled a service at the end of its paid period.
    case serviceCancellationRequested = "service.cancellation_requested"
    /// Staff gave an unpaid proforma a later due date.
    case paymentExtended = "proforma.payment_extended"
}

/// The e-mails about the account itself. They are sent at once and never pass through the outbox, so they have no
/// channel rule and no SMS: a link's token must not rest in a table, and two of them go to an address that is not
/// (or no longer) the client's login e-mail.
public enum AccountEmail: String, Sendable, CaseIterable {
    case passwordReset = "account.password_reset"
    /// To the previous login address, telling that the login e-mail changed.
    case emailChanged = "account.email_changed"
    /// To the new login address, with the link that makes it the login e-mail.
    case emailConfirmation = "account.email_confirmation"
}

public enum MessageChannel: String, Sendable, Codable, CaseIterable {
    case email
    case sms
}

/// Which invoice a link or page is about: proformas and fiscal invoices have separate id spaces.
public struct InvoiceRef: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case proforma, fiscal
    }

    public let kind: Kind
    public let id: Int64

    public init(_ kind: Kind, _ id: Int64) {
        self.kind = kind
        self.id = id
    }

    public var description: String { "\(kind.rawValue):\(id)" }
}

/// Which event reaches the client on which channel (the product's SMS rule), and which invoice an e-mail links to.
public enum NotificationRules {
    /// The invoice whose number an e-mail turns into a log-in link: the proforma of an invoice notification or
    /// reminder, the fiscal invoice of a payment confirmation. Other e-mails carry no link.
    public static func linkedInvoice(for kind: NotificationEvent, payload: [String: String]) -> InvoiceRef? {
        switch kind {
        case .proformaIssued, .overdueReminder, .paymentExtended:
            payload["proformaID"].flatMap(Int64.init).map { InvoiceRef(.proforma, $0) }
        case .paymentConfirmed: payload["fiscalInvoiceID"].flatMap(Int64.init).map { InvoiceRef(.fiscal, $0) }
        case .serviceSuspended, .serviceReactivated, .serviceTerminated, .serviceCancellationRequested: nil
        }
    }

    public static func channels(for kind: NotificationEvent, payload: [String: String]) -> [MessageChannel] {
        switch kind {
        // SMS only for a renewal the system issued: not for an order, nor for periods staff billed again after a storno.
        case .proformaIssued:
            payload["origin"] == ProformaOrigin.renewal.rawValue && payload["reopened"] == nil
                ? [.email, .sms] : [.email]
        case .serviceSuspended: [.email, .sms]
        case .overdueReminder, .paymentConfirmed, .serviceReactivated, .serviceTerminated,
            .serviceCancellationRequested, .paymentExtended:
            [.email]
        }
    }
}
