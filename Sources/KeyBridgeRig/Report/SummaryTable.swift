import Foundation

/// The human summary printed on stderr at the end of a run: one row per key, then the failures.
public enum SummaryTable {
    public static func render(_ report: RigReport) -> String {
        var rows = [["key", "transport", "passed", "failed", "error", "skipped", "power", "p50 mc", "p99 mc", "p50 ga", "p99 ga"]]
        for key in report.keys {
            let c = key.counts
            func latency(_ op: String, _ path: KeyPath<LatencyStats, Double>) -> String {
                guard let stat = key.latency.last(where: { $0.operation == op && $0.count > 0 }) else { return "-" }
                return String(format: "%.1f ms", stat[keyPath: path])
            }
            rows.append([
                key.device.serialNumber ?? key.device.id, key.device.transport, "\(c.passed)", "\(c.failed)", "\(c.error)",
                "\(c.skipped)", "\(c.needsPowerCycle)", latency("makeCredential", \.p50Milliseconds),
                latency("makeCredential", \.p99Milliseconds), latency("getAssertion", \.p50Milliseconds),
                latency("getAssertion", \.p99Milliseconds),
            ])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var out = rows.map { row in
            zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
        let problems = report.keys.flatMap { key in
            key.tests.filter { $0.result == .failed || $0.result == .error }.map { (key.device.serialNumber ?? key.device.id, $0) }
        }
        for (name, test) in problems.prefix(40) {
            out += "\(test.result.rawValue.uppercased()) \(name) \(test.id) (§\(test.section)): \(test.message ?? "")\n"
        }
        if problems.count > 40 { out += "… and \(problems.count - 40) more in the reports\n" }
        let c = report.counts
        out += "\(c.total) results: \(c.passed) passed, \(c.failed) failed, \(c.error) errors, \(c.skipped) skipped, \(c.needsPowerCycle) need a power cycle\n"
        if let throughput = report.enduranceThroughput { out += String(format: "endurance throughput: %.1f operations/s over all keys\n", throughput) }
        return out
    }
}
