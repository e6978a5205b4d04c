import Features
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Threads of their own for bcrypt, never the pool that SQLite's queries run on, so hashing (hundreds of ms by
/// design) cannot hold up pages. A password check for a login goes before new hashes (sign-up, reset, change), and
/// at most `maxWaitingHashes` new hashes wait: more answer `PasswordHashingBusy` (503 "try again") at once instead
/// of piling up behind a sign-up flood.
public final class PasswordHashingPool: Sendable {
    /// Half the cores, at least one: the event loops and the database keep the rest.
    public static let shared = PasswordHashingPool(threads: max(1, ProcessInfo.processInfo.activeProcessorCount / 2))

    private let threads: NIOThreadPool
    private let gate: Gate
    public let threadCount: Int

    public init(threads count: Int, maxWaitingHashes: Int = 32) {
        threadCount = count
        threads = NIOThreadPool(numberOfThreads: count)
        threads.start()
        gate = Gate(permits: count, maxWaitingRoutine: maxWaitingHashes)
    }

    /// Free threads, and the urgent and routine work waiting for one.
    public func load() async -> (free: Int, urgent: Int, routine: Int) { await gate.load() }

    /// Runs `work` on a hashing thread once one is free; `urgent` work (a login waiting) is served first.
    public func run<T: Sendable>(urgent: Bool, _ work: @escaping @Sendable () -> T) async throws -> T {
        try await gate.acquire(urgent: urgent)
        do {
            let result = try await threads.runIfActive(work)
            await gate.release()
            return result
        } catch {
            await gate.release()
            throw error
        }
    }

    /// Free threads, handed out urgent waiters first; routine waiters are bounded.
    actor Gate {
        private var free: Int
        private let maxWaitingRoutine: Int
        private var urgent: [CheckedContinuation<Void, Never>] = []
        private var routine: [CheckedContinuation<Void, Never>] = []

        init(permits: Int, maxWaitingRoutine: Int) {
            free = permits
            self.maxWaitingRoutine = maxWaitingRoutine
        }

        func acquire(urgent isUrgent: Bool) async throws {
            if free > 0 {
                free -= 1
                return
            }
            if !isUrgent, routine.count >= maxWaitingRoutine { throw PasswordHashingBusy() }
            await withCheckedContinuation { c in
                if isUrgent { urgent.append(c) } else { routine.append(c) }
            }
        }

        func load() -> (free: Int, urgent: Int, routine: Int) { (free, urgent.count, routine.count) }

        func release() {
            if !urgent.isEmpty {
                urgent.removeFirst().resume()
            } else if !routine.isEmpty {
                routine.removeFirst().resume()
            } else {
                free += 1
            }
        }
    }
}

/// bcrypt on the password-hashing pool: checks for logins are urgent, new hashes routine.
public struct BcryptPasswordHasher: PasswordHasher {
    let cost: UInt8
    let pool: PasswordHashingPool
    public init(cost: UInt8 = 12, pool: PasswordHashingPool = .shared) {
        self.cost = cost
        self.pool = pool
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await pool.run(urgent: false) { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, against hash: String) async throws -> Bool {
        try await pool.run(urgent: true) { Bcrypt.verify(password, hash: hash) }
    }
}
