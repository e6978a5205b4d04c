import ArgumentParser
import Bootstrap
import Documents
import Domain
import Features
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Storage

struct Notify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Notifications.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deliver every due e-mail and SMS once (the worker does this every few seconds).")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await common.withDatabase { config, deps, db in
                let delivery = try LiveServices(config: config, deps: deps, database: db).makeDelivery()
                let started = ContinuousClock.now
                let report = try await delivery.runOnce()
                print(
                    "Notifications: \(report) in \(String(format: "%.2f", (ContinuousClock.now - started).seconds)) s.")
            }
        }
    }
}

struct EFacturaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "efactura", abstract: "Romanian e-Factura (UBL 2.1, CIUS-RO).",
        subcommands: [Export.self, Upload.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Write the e-Factura XML of every fiscal invoice and storno issued in a date range, one file per invoice."
        )
        @OptionGroup var common: CommonOptions
        @Option(help: "First issue date, YYYY-MM-DD.") var from: String
        @Option(help: "Last issue date, YYYY-MM-DD (inclusive).") var to: String
        @Option(help: "Folder to write into (created if missing).") var out = "./efactura"

        func run() async throws {
            guard let first = CivilDate(from), let last = CivilDate(to) else {
                throw ValidationError("--from and --to must be YYYY-MM-DD")
            }
            guard first <= last else { throw ValidationError("--from must not be after --to") }
            try await common.withDatabase { _, deps, db in
                let invoices = try await deps.store.read { r in
                    try await r.fiscalInvoices(issuedFrom: first, through: last)
                }
                let folder = URL(fileURLWithPath: out)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for invoice in invoices {
                    try Data(EFactura.xml(invoice).utf8).write(
                        to: folder.appendingPathComponent(invoice.displayNumber + ".xml"), options: .atomic)
                }
                print("Wrote \(invoices.count) e-Factura file(s) for \(first) – \(last) to \(folder.path).")
            }
        }
    }
}

extension EFacturaCommand {
    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Upload every due fiscal invoice to ANAF and ask about the uploaded ones, once (serve and worker do this every minute)."
        )
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await common.withDatabase { config, deps, db in
                guard let submit = try LiveServices(config: config, deps: deps, database: db).efactura else {
                    throw ValidationError("ANAF_CLIENT_ID is not set: e-Factura uploads are off")
                }
                let report = try await submit.runOnce()
                print("e-Factura: \(report).")
            }
        }
    }
}

struct Provision: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Hosting-server provisioning.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every due provisioning job once (serve and worker do this every few seconds).")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await common.withDatabase { config, deps, db in
                let report = try await LiveServices(config: config, deps: deps, database: db).provisioning.runOnce()
                print("Provisioning: \(report).")
            }
        }
    }
}
