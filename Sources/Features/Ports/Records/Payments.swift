import Domain
import Foundation

public struct NewPayment: Sendable {
    public let proformaID: Int64
    public let clientID: Int64
    public let amount: Money
    public let method: PaymentMethod
    public let gatewayReference: String?
    public let receivedOn: CivilDate
    public let recordedBy: Actor
    public let recordedAt: Date
    /// What makes a repeat of the same payment recognisable (a card intent, a bank transaction, a caller's key);
    /// nil when nothing does. The free-text reference never does: two transfers may quote the same proforma.
    public let idempotencyKey: String?

    public init(
        proformaID: Int64, clientID: Int64, amount: Money, method: PaymentMethod, gatewayReference: String?,
        receivedOn: CivilDate, recordedBy: Actor, recordedAt: Date, idempotencyKey: String? = nil
    ) {
        self.idempotencyKey = idempotencyKey
        self.proformaID = proformaID
        self.clientID = clientID
        self.amount = amount
        self.method = method
        self.gatewayReference = gatewayReference
        self.receivedOn = receivedOn
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }

}

public enum PaymentMethod: String, Sendable, Codable, CaseIterable {
    case bankTransfer = "bank_transfer"
    case card
    case demo
    /// Taken from the client's credit balance when a proforma is issued; never recorded by hand.
    case credit
}

/// One movement of a client's credit ledger (append-only): positive adds to the balance, negative takes from it.
public struct CreditEntry: Sendable, Equatable {
    public let id: Int64
    public let clientID: Int64
    public let amount: Money
    /// The payment it came from (an overpayment) or went to (a proforma settled from credit).
    public let paymentID: Int64?
    public let note: String
    public let at: Date

    public init(id: Int64, clientID: Int64, amount: Money, paymentID: Int64?, note: String, at: Date) {
        self.id = id
        self.clientID = clientID
        self.amount = amount
        self.paymentID = paymentID
        self.note = note
        self.at = at
    }
}

public struct PaymentRecord: Sendable, Codable, Equatable {
    public let id: Int64
    public let proformaID: Int64
    public let clientID: Int64
    public let amount: Money
    public let method: PaymentMethod
    public let gatewayReference: String?
    public let receivedOn: CivilDate
    public let recordedBy: String
    /// When a storno that reopened the proforma took this payment back (the money did not stay).
    public let reversedAt: Date?

    public init(
        id: Int64, proformaID: Int64, clientID: Int64, amount: Money, method: PaymentMethod, gatewayReference: String?,
        receivedOn: CivilDate, recordedBy: String, reversedAt: Date? = nil
    ) {
        self.id = id
        self.proformaID = proformaID
        self.clientID = clientID
        self.amount = amount
        self.method = method
        self.gatewayReference = gatewayReference
        self.receivedOn = receivedOn
        self.recordedBy = recordedBy
        self.reversedAt = reversedAt
    }
}

/// Which payments a listing shows; nil filters are not applied. `receivedFrom`/`receivedThrough` are inclusive days.
public struct PaymentFilter: Sendable, Equatable {
    public var clientID: Int64?
    public var proformaID: Int64?
    public var method: PaymentMethod?
    public var receivedFrom: CivilDate?
    public var receivedThrough: CivilDate?

    public init(
        clientID: Int64? = nil, proformaID: Int64? = nil, method: PaymentMethod? = nil, receivedFrom: CivilDate? = nil,
        receivedThrough: CivilDate? = nil
    ) {
        self.clientID = clientID
        self.proformaID = proformaID
        self.method = method
        self.receivedFrom = receivedFrom
        self.receivedThrough = receivedThrough
    }

}
