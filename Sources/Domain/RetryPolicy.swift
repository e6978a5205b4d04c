/// Seconds to wait after `attempts` failed attempts: base, 2×base, 4×base … capped at `maxSeconds`. Shared by
/// every queue that retries (messages, provisioning jobs, e-Factura uploads).
public func exponentialBackoff(afterAttempts attempts: Int, baseSeconds: Int, maxSeconds: Int) -> Int {
    min(maxSeconds, baseSeconds << min(max(attempts - 1, 0), 20))
}
