import Foundation

/// The JUnit XML form of a rig report: one `<testsuite>` per key (named by serial number or
/// device id), one `<testcase>` per test, in the shape of the common JUnit schema (the one
/// Jenkins and pytest use), so CI systems can read it.
public enum JUnitReport {
    public static func xml(_ report: RigReport, hostname: String = ProcessInfo.processInfo.hostName) -> String {
        let counts = report.counts
        let total = report.keys.flatMap(\.tests).reduce(0) { $0 + $1.durationSeconds }
        var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        out += #"<testsuites name="keybridge rig" tests="\#(counts.total)" failures="\#(counts.failed)" errors="\#(counts.error)" time="\#(seconds(total))">"# + "\n"
        let timestamp = ISO8601DateFormatter.string(from: report.startedAt, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate])
        for (index, key) in report.keys.enumerated() {
            let c = key.counts
            let name = key.device.serialNumber.map { "\($0) (\(key.device.id))" } ?? key.device.id
            out += "  <testsuite name=\"\(escape(name))\" tests=\"\(c.total)\" failures=\"\(c.failed)\" errors=\"\(c.error)\" skipped=\"\(c.skipped + c.needsPowerCycle)\" time=\"\(seconds(key.tests.reduce(0) { $0 + $1.durationSeconds }))\" timestamp=\"\(timestamp)\" hostname=\"\(escape(hostname))\" id=\"\(index)\">\n"
            out += "    <properties>\n"
            for (property, value) in properties(key) {
                out += "      <property name=\"\(escape(property))\" value=\"\(escape(value))\"/>\n"
            }
            out += "    </properties>\n"
            for test in key.tests {
                out += "    <testcase classname=\"\(escape("\(test.suite).\(test.id.split(separator: ".").first ?? "")"))\" name=\"\(escape("\(test.id) (§\(test.section))"))\" time=\"\(seconds(test.durationSeconds))\">"
                let message = escape(test.message ?? "")
                switch test.result {
                case .passed: break
                case .failed: out += "\n      <failure message=\"\(message)\" type=\"CheckFailure\">\(message)</failure>\n    "
                case .error: out += "\n      <error message=\"\(message)\" type=\"RigError\">\(message)</error>\n    "
                case .skipped: out += "\n      <skipped message=\"\(message)\"/>\n    "
                case .needsPowerCycle: out += "\n      <skipped message=\"needs-power-cycle: \(message)\"/>\n    "
                }
                if !test.observations.isEmpty {
                    out += (test.result == .passed ? "\n      " : "  ") + "<system-out>\(escape(test.observations.joined(separator: "\n")))</system-out>\n    "
                }
                out += "</testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    private static func properties(_ key: KeyReport) -> [(String, String)] {
        var list: [(String, String)] = [("device", key.device.id), ("transport", key.device.transport), ("product", key.device.product)]
        if let serial = key.device.serialNumber { list.append(("serialNumber", serial)) }
        if let aaguid = key.device.aaguid { list.append(("aaguid", aaguid)) }
        if let versions = key.device.info?.versions { list.append(("versions", versions.joined(separator: ","))) }
        for stat in key.latency {
            list.append(("latency.\(stat.operation)", String(format: "p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms n=%d errors=%d", stat.p50Milliseconds, stat.p90Milliseconds, stat.p99Milliseconds, stat.maxMilliseconds, stat.count, stat.errors)))
        }
        return list
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// XML-escapes text for an attribute or element, dropping characters XML 1.0 cannot carry.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case "\t", "\r": out += " "
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { out += "?" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
