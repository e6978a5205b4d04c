import Configuration
import Features
import Foundation

/// `PROVISIONERS=nginx,cpanel` and, for each name, `PROVISIONER_<NAME>_COMMAND` (an executable path),
/// `PROVISIONER_<NAME>_TIMEOUT_SECONDS` (default 30) and `PROVISIONER_<NAME>_ENV` (`KEY=VALUE;KEY=VALUE`, a secret).
public struct ProvisioningConfig: Sendable {
    public var commands: [String: ProvisionerCommand]
    public var intervalSeconds: Int

    static func read(_ r: ConfigReader, problems: inout [String]) -> ProvisioningConfig {
        var commands: [String: ProvisionerCommand] = [:]
        let names = r.string(forKey: "provisioners", default: "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        for name in names {
            let key = name.lowercased()
            guard key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                problems.append("PROVISIONERS: \(name) must be letters and digits")
                continue
            }
            let upper = key.uppercased()
            guard let exe = r.string(forKey: ConfigKey(["provisioner", key, "command"])),
                FileManager.default.isExecutableFile(atPath: exe)
            else {
                problems.append("PROVISIONER_\(upper)_COMMAND must name an executable file")
                continue
            }
            let timeout =
                Double(r.string(forKey: ConfigKey(["provisioner", key, "timeout", "seconds"]), default: "30")) ?? 30
            var env: [String: String] = [:]
            for pair in (r.string(forKey: ConfigKey(["provisioner", key, "env"]), isSecret: true) ?? "").split(
                separator: ";")
            {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                if kv.count == 2 {
                    env[kv[0]] = kv[1]
                } else {
                    problems.append("PROVISIONER_\(upper)_ENV is KEY=VALUE pairs separated by ;")
                }
            }
            commands[key] = ProvisionerCommand(executable: exe, timeoutSeconds: timeout, environment: env)
        }
        return ProvisioningConfig(
            commands: commands, intervalSeconds: Int(r.string(forKey: "provision.interval.seconds", default: "5")) ?? 5)
    }
}
