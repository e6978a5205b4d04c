import Features
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit
import SQLiteNIO

/// The two supported engines. What differs between them (row locks, upserts, column types) is decided in this file
/// (`skipLocked`, `claimLeased`), in `SQLStore.lock` and in the migrations' `pk`.
public enum DatabaseKind: String, Sendable, CaseIterable {
    case sqlite, postgres
}

/// Serialises SQLite writers inside one process: SQLite has one writer at a time, and sqlite-nio's busy
/// handler would otherwise spin.
actor AsyncMutex {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func lock() async {
        if !locked {
            locked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func unlock() {
        if waiters.isEmpty { locked = false } else { waiters.removeFirst().resume() }
    }
}

/// Connections to the configured database: a SQLite file (one writer connection plus readers, WAL) or a
/// PostgreSQL pool. Transactions are written by hand: SQLKit has no helper.
public final class Database: Sendable {
    public let kind: DatabaseKind
    let logger: Logger
    private let writer: SQLiteConnection?
    private let readers: [SQLiteConnection]
    private let writeLock = AsyncMutex()
    private let postgres: PostgresClient?
    private let postgresTask: Task<Void, Never>?
    private let nextReader = ManagedCounter()

    private init(
        kind: DatabaseKind, logger: Logger, writer: SQLiteConnection?, readers: [SQLiteConnection],
        postgres: PostgresClient?
    ) {
        self.kind = kind
        self.logger = logger
        self.writer = writer
        self.readers = readers
        self.postgres = postgres
        if let postgres {
            postgresTask = Task { await postgres.run() }
        } else {
            postgresTask = nil
        }
    }

    /// `url` nil or a file path → SQLite (WAL); `postgres://` or `postgresql://` → PostgreSQL.
    public static func open(url: String?, defaultSQLitePath: String, logger: Logger) async throws -> Database {
        if let url, url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return Database(
                kind: .postgres, logger: logger, writer: nil, readers: [],
                postgres: try postgresClient(url: url, logger: logger))
        }
        var path = url ?? defaultSQLitePath
        if path.hasPrefix("sqlite://") { path.removeFirst("sqlite://".count) }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        // Money data: full fsync on commit; WAL so readers never block the writer.
        for pragma in [
            "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=10000",
        ] {
            _ = try await writer.query(pragma)
        }
        var readers: [SQLiteConnection] = []
        for _ in 0..<2 {
            let r = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            _ = try await r.query("PRAGMA busy_timeout=10000")
            readers.append(r)
        }
        return Database(kind: .sqlite, logger: logger, writer: writer, readers: readers, postgres: nil)
    }

    static func postgresClient(url: String, logger: Logger) throws -> PostgresClient {
        guard let c = URLComponents(string: url), let host = c.host else {
            throw DatabaseURLError(reason: "not a postgres:// URL")
        }
        let database = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        let tls = c.queryItems?.first(where: { $0.name == "sslmode" })?.value
        var config = PostgresClient.Configuration(
            host: host, port: c.port ?? 5432, username: c.user ?? "postgres", password: c.password,
            database: database.isEmpty ? nil : database,
            tls: tls == "require" ? .require(.makeClientConfiguration()) : .disable)
        config.options.maximumConnections = 20
        return PostgresClient(configuration: config, backgroundLogger: logger)
    }

    /// One write transaction. SQLite: in-process mutex + `BEGIN IMMEDIATE` (also orders other processes).
    /// PostgreSQL: `BEGIN` on a pooled connection; rows are locked with `FOR UPDATE` where the stores ask.
    public func withTransaction<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch kind {
        case .sqlite:
            let sql = writer!.sql(queryLogLevel: .trace)
            await writeLock.lock()
            do {
                try await sql.raw("BEGIN IMMEDIATE").run()
                do {
                    let result = try await body(sql)
                    try await sql.raw("COMMIT").run()
                    await writeLock.unlock()
                    return result
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    throw error
                }
            } catch {
                await writeLock.unlock()
                throw error
            }
        case .postgres:
            return try await postgres!.withConnection { conn in
                let sql = conn.sql(queryLogLevel: .trace)
                try await sql.raw("BEGIN").run()
                do {
                    let result = try await body(sql)
                    try await sql.raw("COMMIT").run()
                    return result
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
    }

    /// Reads of committed data, outside any write transaction.
    public func withReader<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch kind {
        case .sqlite:
            let r = readers[nextReader.next() % readers.count]
            return try await body(r.sql(queryLogLevel: .trace))
        case .postgres:
            return try await postgres!.withConnection { conn in try await body(conn.sql(queryLogLevel: .trace)) }
        }
    }

    public func close() async {
        for r in readers { try? await r.close() }
        try? await writer?.close()
        postgresTask?.cancel()
    }

    /// True when `error` is a UNIQUE violation, whichever engine raised it.
    public static func isUniqueViolation(_ error: any Error) -> Bool {
        if let e = error as? SQLiteError {
            return e.reason == .constraintUniqueFailed || e.reason == .constraintPrimaryKeyFailed
                || (e.reason == .constraint && e.message.contains("UNIQUE"))
        }
        if let e = error as? PSQLError { return e.serverInfo?[.sqlState] == "23505" }
        return false
    }
}

public struct DatabaseURLError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { "DATABASE_URL: \(reason)" }
}

/// A thread-safe round-robin counter.
final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value &+= 1
        return value & Int.max
    }
}

extension Database {
    /// ` FOR UPDATE SKIP LOCKED` on PostgreSQL (`of`: the alias whose rows are locked, when the query joins), so two
    /// workers never wait on each other's rows; nothing on SQLite, where `BEGIN IMMEDIATE` already excludes writers.
    func skipLocked(of alias: String? = nil) -> String {
        kind == .postgres ? " FOR UPDATE" + (alias.map { " OF " + $0 } ?? "") + " SKIP LOCKED" : ""
    }

    /// A queue's claim, the same for every queue: in one transaction, select the due rows (`select`, which ends
    /// with its ORDER BY and LIMIT; the lock clause is appended), then mark them taken (`take`, given their ids).
    /// A row taken by one worker is skipped by the others until its lease ends.
    func claimLeased<Item: Sendable>(
        _ select: SQLQueryString, lockingRowsOf alias: String? = nil,
        decode: @escaping @Sendable (any SQLRow) throws -> Item,
        id: @escaping @Sendable (Item) -> Int64, take: @escaping @Sendable ([Int64]) -> SQLQueryString
    ) async throws -> [Item] {
        let query = select + "\(unsafeRaw: skipLocked(of: alias))"
        return try await withTransaction { sql in
            let items = try await sql.raw(query).all().map(decode)
            guard !items.isEmpty else { return [] }
            try await sql.raw(take(items.map(id))).run()
            return items
        }
    }
}
