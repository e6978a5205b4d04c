import Features
import Logging

/// Collects delivery reports for a moment and records them in one transaction: an SMSC sends one per SMS part,
/// and a transaction each (an fsync each on SQLite) would cap sending at a few hundred SMS a second.
public actor DeliveryReportBatcher {
    let store: any MessageStore
    let clock: any TimeSource
    let logger: Logger
    let delay: Duration
    private var pending: [DeliveryReport] = []
    private var scheduled: Task<Void, Never>?

    public init(store: any MessageStore, clock: any TimeSource, logger: Logger, delay: Duration = .milliseconds(100)) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.delay = delay
    }

    public func add(_ report: DeliveryReport) {
        pending.append(report)
        guard scheduled == nil else { return }
        let delay = self.delay
        scheduled = Task {
            try? await Task.sleep(for: delay)
            await self.flush()
        }
    }

    /// Records what is waiting now (also called before the process exits).
    public func flush() async {
        scheduled = nil
        let batch = pending
        pending = []
        guard !batch.isEmpty else { return }
        do {
            _ = try await store.recordDeliveryReports(batch, at: clock.now())
        } catch {
            // Reports are informational for staff; losing a batch must not stop sending.
            logger.error("delivery reports not recorded", metadata: ["count": "\(batch.count)", "error": "\(error)"])
        }
    }
}
