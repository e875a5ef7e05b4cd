/// Latency statistics of one operation, in milliseconds.
struct LatencySummary: Encodable {
    var operation: String
    var count: Int
    var minimum: Double
    var median: Double
    var p95: Double
    var mean: Double
    var maximum: Double

    init(operation: String, samples: [Duration]) {
        let sorted = samples.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }.sorted()
        self.operation = operation
        count = sorted.count
        minimum = sorted.first ?? 0
        maximum = sorted.last ?? 0
        median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        p95 = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.95))]
        mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
    }

    var row: String {
        func f(_ value: Double) -> String { String(format: "%8.3f", value) }
        return "\(operation.padding(toLength: 16, withPad: " ", startingAt: 0)) \(String(format: "%5d", count)) "
            + "\(f(minimum)) \(f(median)) \(f(p95)) \(f(mean)) \(f(maximum))"
    }

    static let header = "operation        count   min ms  median ms  p95 ms  mean ms   max ms"
}
