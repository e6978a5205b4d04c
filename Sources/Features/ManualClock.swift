import Foundation

/// A clock moved by hand: tests step it through months, and `demo seed` replays weeks of history.
public final class ManualClock: TimeSource, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date) { current = start }

    public func now() -> Date {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    public func advance(days: Int = 0, seconds: TimeInterval = 0) {
        lock.lock()
        current += TimeInterval(days) * 86_400 + seconds
        lock.unlock()
    }

    public func set(_ date: Date) {
        lock.lock()
        current = date
        lock.unlock()
    }
}
