import Domain
import Foundation

/// The staff home's to-do list: what waits for a person today, each kind with its count and the first few items.
public struct WorkQueue: Sendable {
    public struct Section<Item: Sendable>: Sendable {
        public let count: Int
        /// The first items (oldest first where there is an order), at most `WorkQueue.shown`.
        public let first: [Item]
        public var isEmpty: Bool { count == 0 }
    }

    public static let shown = 10

    /// Unpaid proformas past their due date (renewals and orders).
    public let overdueProformas: Section<ProformaInvoice>
    /// Order proformas still unpaid after their due date (`BILLING_ORDER_DUE_DAYS` after the order): the client
    /// may need a nudge before the order is cancelled.
    public let unpaidOrders: Section<ProformaInvoice>
    /// Live services held for non-payment.
    public let suspendedForNonPayment: Section<HostingService>
    /// Fiscal invoices past the e-Factura deadline and not validly transmitted.
    public let efacturaOverdue: Section<EFacturaSubmission>
    /// Waiting to be uploaded, within the deadline.
    public let efacturaToUpload: Section<EFacturaSubmission>
    /// Uploads ANAF refused.
    public let efacturaRejected: Section<EFacturaSubmission>
    /// E-mails and SMS that gave up.
    public let failedMessages: Section<StoredMessage>

    public var isEmpty: Bool {
        overdueProformas.isEmpty && unpaidOrders.isEmpty && suspendedForNonPayment.isEmpty && efacturaOverdue.isEmpty
            && efacturaToUpload.isEmpty && efacturaRejected.isEmpty && failedMessages.isEmpty
    }
}

extension BackOfficeQueries {
    /// What waits for staff today (counts capped at 1,000 per kind; the lists hold the first ten).
    public func workQueue(messages: any MessageStore) async throws -> WorkQueue {
        let today = deps.today()
        let yesterday = today.adding(days: -1)
        let cap = 1000
        func section<T>(_ all: [T]) -> WorkQueue.Section<T> {
            WorkQueue.Section(count: all.count, first: Array(all.prefix(WorkQueue.shown)))
        }
        let (overdue, orders, suspended, submissions) = try await deps.store.read { r in
            let overdueIDs = try await r.unpaidProformas(dueOnOrBefore: yesterday, origin: nil)
            let orderIDs = try await r.unpaidProformas(dueOnOrBefore: yesterday, origin: .order)
            var overdue: [ProformaInvoice] = []
            for id in overdueIDs.prefix(WorkQueue.shown) {
                if let p = try await r.proforma(id: id, forUpdate: false) { overdue.append(p) }
            }
            var orders: [ProformaInvoice] = []
            for id in orderIDs.prefix(WorkQueue.shown) {
                if let p = try await r.proforma(id: id, forUpdate: false) { orders.append(p) }
            }
            let suspendedIDs = try await r.servicesSuspendedSince(placedBefore: deps.clock.now())
            var suspended: [HostingService] = []
            for id in suspendedIDs.prefix(WorkQueue.shown) {
                if let s = try await r.service(id: id, forUpdate: false) { suspended.append(s) }
            }
            return (
                (overdueIDs.count, overdue), (orderIDs.count, orders), (suspendedIDs.count, suspended),
                try await r.efacturaSubmissions(state: nil, limit: cap)
            )
        }
        let open = submissions.filter { $0.state == .toUpload || $0.state == .rejected }.sorted {
            $0.deadline < $1.deadline
        }
        let failed = try await messages.messages(clientID: nil, status: .failed, limit: cap)
        return WorkQueue(
            overdueProformas: .init(
                count: overdue.0, first: overdue.1.sorted { $0.effectiveDueDate < $1.effectiveDueDate }),
            unpaidOrders: .init(count: orders.0, first: orders.1.sorted { $0.effectiveDueDate < $1.effectiveDueDate }),
            suspendedForNonPayment: .init(count: suspended.0, first: suspended.1),
            efacturaOverdue: section(open.filter { $0.isOverdue(today: today) }),
            efacturaToUpload: section(open.filter { $0.state == .toUpload && !$0.isOverdue(today: today) }),
            efacturaRejected: section(open.filter { $0.state == .rejected }),
            failedMessages: section(failed))
    }
}
