import Foundation

/// The current instant. Injected so tests move time by hand; logic never calls `Date()`. (Not `Clock`: that name
/// is Swift's own protocol for durations and sleeping.)
public protocol TimeSource: Sendable {
    func now() -> Date
}
