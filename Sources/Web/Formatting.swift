import Features
import Foundation

/// How pages write instants: "2026-12-07 16:05", in the billing time zone (Europe/Bucharest), the same for every
/// language (staff compare them with logs and bank statements).
enum Formatting {
    static func timestamp(_ d: Date, _ deps: AppDependencies) -> String {
        let parts = calendar(deps.timeZone).dateComponents([.year, .month, .day, .hour, .minute], from: d)
        return String(
            format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0)
    }

    /// A Gregorian calendar per zone, made once (a `DateFormatter` per call cost more than the rest of the row).
    private static let calendars = CalendarCache()

    private static func calendar(_ zone: TimeZone) -> Calendar { calendars.calendar(zone) }
}

private final class CalendarCache: @unchecked Sendable {
    private let lock = NSLock()
    private var byZone: [String: Calendar] = [:]

    func calendar(_ zone: TimeZone) -> Calendar {
        lock.withLock {
            if let c = byZone[zone.identifier] { return c }
            var c = Calendar(identifier: .gregorian)
            c.timeZone = zone
            byZone[zone.identifier] = c
            return c
        }
    }
}
