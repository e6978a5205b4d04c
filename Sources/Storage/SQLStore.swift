import Domain
import Features
import Foundation
import SQLKit

/// The one SQL implementation of the store ports, for SQLite and PostgreSQL alike.
public struct SQLStore: Store {
    public let database: Database

    public init(database: Database) { self.database = database }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreTransaction) async throws -> T) async throws
        -> T
    {
        let kind = database.kind
        do {
            return try await database.withTransaction { sql in try await body(SQLTransaction(sql: sql, kind: kind)) }
        } catch  where Database.isUniqueViolation(error) {
            throw StoreError.duplicate(String(describing: error))
        }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) async throws -> T) async throws -> T {
        let kind = database.kind
        return try await database.withReader { sql in try await body(SQLTransaction(sql: sql, kind: kind)) }
    }
}

/// Both ports over one `SQLDatabase` (a transaction's connection, or a reader).
struct SQLTransaction: StoreTransaction {
    let sql: any SQLDatabase
    let kind: DatabaseKind

    /// `FOR UPDATE` on PostgreSQL; nothing on SQLite, where `BEGIN IMMEDIATE` already excludes other writers.
    func lock(_ forUpdate: Bool) -> String { forUpdate && kind == .postgres ? " FOR UPDATE" : "" }

    func rows(_ q: SQLQueryString) async throws -> [any SQLRow] { try await sql.raw(q).all() }
    func row(_ q: SQLQueryString) async throws -> (any SQLRow)? { try await sql.raw(q).first() }
    func run(_ q: SQLQueryString) async throws { try await sql.raw(q).run() }

    /// Runs `body`, turning a UNIQUE violation into `StoreError.duplicate(what)` so callers can treat it as done.
    func uniqueAsDuplicate<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch  where Database.isUniqueViolation(error) {
            throw StoreError.duplicate(what)
        }
    }

    /// INSERT … RETURNING id; a UNIQUE violation becomes `StoreError.duplicate` so callers can treat it as done.
    func insertReturningID(_ q: SQLQueryString, what: String) async throws -> Int64 {
        try await uniqueAsDuplicate(what) {
            guard let r = try await sql.raw(q).first() else { throw StoreError.notFound(what) }
            return try r.decode(column: "id", as: Int64.self)
        }
    }
}

// MARK: Encoding helpers

func millis(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }
func date(millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }

let jsonEncoder: JSONEncoder = {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    e.dateEncodingStrategy = .millisecondsSince1970
    return e
}()
let jsonDecoder: JSONDecoder = {
    let d = JSONDecoder()
    d.dateDecodingStrategy = .millisecondsSince1970
    return d
}()

func json(_ value: some Encodable) throws -> String { String(decoding: try jsonEncoder.encode(value), as: UTF8.self) }
func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try jsonDecoder.decode(type, from: Data(text.utf8))
}

extension SQLRow {
    func int(_ c: String) throws -> Int64 { try decode(column: c, as: Int64.self) }
    func intOrNil(_ c: String) throws -> Int64? { try decode(column: c, as: Int64?.self) }
    func string(_ c: String) throws -> String { try decode(column: c, as: String.self) }
    func stringOrNil(_ c: String) throws -> String? { try decode(column: c, as: String?.self) }
    func civil(_ c: String) throws -> CivilDate {
        let s = try string(c)
        guard let d = CivilDate(s) else { throw StoreError.notFound("date in \(c)") }
        return d
    }
    func enumValue<E: RawRepresentable>(_ c: String, _: E.Type) throws -> E where E.RawValue == String {
        let s = try string(c)
        guard let v = E(rawValue: s) else { throw StoreError.notFound("\(E.self) '\(s)' in \(c)") }
        return v
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements (bulk statements stay under bind-parameter limits).
    func chunked(into size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min(count, $0 + size)] }
    }
}
