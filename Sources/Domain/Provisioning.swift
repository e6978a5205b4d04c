/// What the hosting server is told to do with a service's account.
public enum ProvisioningAction: String, Sendable, Codable, CaseIterable {
    case create, suspend, unsuspend, terminate
}

public enum ProvisioningJobStatus: String, Sendable, Codable, CaseIterable {
    case queued, running, done, failed
}

extension HoldReason {
    /// The reason a suspended site shows when several holds stand: abuse outranks "other", which outranks
    /// non-payment, because paying does not lift the first two.
    public static func shown(among holds: [Hold]) -> HoldReason? {
        let reasons = Set(holds.map(\.reason))
        return [.abuse, .other, .nonPayment].first { reasons.contains($0) }
    }
}
