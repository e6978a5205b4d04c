import Configuration
import Features
import Foundation
import Logging

/// One configured provisioner: an executable, its time limit and the environment it gets (secrets included;
/// nothing else from ours leaks into it).
public struct ProvisionerCommand: Sendable {
    public let executable: String
    public let timeoutSeconds: Double
    public let environment: [String: String]

    public init(executable: String, timeoutSeconds: Double, environment: [String: String]) {
        self.executable = executable
        self.timeoutSeconds = timeoutSeconds
        self.environment = environment
    }
}

/// Runs a provisioner executable per action: the job as JSON on standard input, no shell, a minimal
/// environment, a time limit. Exit 0 = done, 75 (EX_TEMPFAIL) = try later, anything else = failed with what it
/// wrote on standard error.
public struct CommandProvisioner: Provisioner {
    let commands: [String: ProvisionerCommand]

    public init(commands: [String: ProvisionerCommand]) { self.commands = commands }

    public func run(_ input: ProvisioningInput, using name: String) async -> ProvisionerResult {
        guard let command = commands[name] else {
            return .failed("no provisioner named \(name) is configured (PROVISIONERS)")
        }
        let stdin: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            stdin = try encoder.encode(input)
        } catch {
            return .failed("could not encode the job: \(error)")
        }
        return await Self.execute(command, stdin: stdin)
    }

    static func execute(_ command: ProvisionerCommand, stdin: Data) async -> ProvisionerResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command.executable)
        process.arguments = []
        process.environment = [
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
        ].merging(command.environment) { $1 }
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let collected = ErrorCollector()
        // Both pipes are read to their end on threads of their own, so the provisioner never blocks on a full pipe
        // and nothing it wrote just before exiting is lost.
        let stderrRead = AsyncStream<Void>.makeStream()
        Thread.detachNewThread {
            collected.append(errors.fileHandleForReading.readDataToEndOfFile())
            stderrRead.continuation.finish()
        }
        Thread.detachNewThread { _ = output.fileHandleForReading.readDataToEndOfFile() }
        let exited = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { p in
            exited.continuation.yield(p.terminationStatus)
            exited.continuation.finish()
        }
        do {
            try process.run()
        } catch {
            return .failed("cannot start \(command.executable): \(error)")
        }
        // A provisioner that exits without reading its input must not take the server down with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        try? input.fileHandleForWriting.write(contentsOf: stdin)
        try? input.fileHandleForWriting.close()
        let pid = process.processIdentifier
        // True when it had to stop the provisioner: it and whatever it started (its process group, when it leads one).
        let watchdog = Task { () -> Bool in
            guard (try? await Task.sleep(for: .seconds(command.timeoutSeconds))) != nil else { return false }
            kill(-pid, SIGTERM)
            kill(pid, SIGTERM)
            if (try? await Task.sleep(for: .seconds(2))) != nil {
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
            }
            return true
        }
        var status: Int32 = -1
        for await s in exited.stream { status = s }
        watchdog.cancel()
        let timedOut = await watchdog.value
        // Standard error ends when every writer closed it; a child left running may keep it open, so not for long.
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in stderrRead.stream {} }
            group.addTask { try? await Task.sleep(for: .seconds(1)) }
            await group.next()
            group.cancelAll()
        }
        let message = collected.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if timedOut { return .tryLater("no answer within \(Int(command.timeoutSeconds)) s; stopped") }
        switch status {
        case 0: return .done
        case 75: return .tryLater(message.isEmpty ? "the provisioner asked to try later" : message)
        default: return .failed(message.isEmpty ? "exit status \(status)" : "exit status \(status): \(message)")
        }
    }
}

/// The first 4 KiB of a provisioner's standard error: enough for staff, bounded for the database.
final class ErrorCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func append(_ chunk: Data) {
        lock.withLock { if data.count < 4096 { data.append(chunk.prefix(4096 - data.count)) } }
    }

    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
