import ArgumentParser

/// The ranges numeric options are checked against before anything runs: a value outside its range
/// (infinite, not a number, zero or negative where that means nothing) is a usage error naming the
/// option and its range, never a crash or a silent clamp.
enum OptionRange {
    /// Seconds to wait for a key, a touch or a server: from a tenth of a second to a day.
    static let waitSeconds: ClosedRange<Double> = 0.1...86_400

    static func check(_ value: Double, _ option: String, _ range: ClosedRange<Double>, unit: String = "seconds") throws {
        guard value.isFinite, range.contains(value) else {
            throw ValidationError("\(option) must be a number of \(unit) from \(format(range.lowerBound)) to \(format(range.upperBound)) (got \(value))")
        }
    }

    static func check(_ value: Int, _ option: String, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else { throw ValidationError("\(option) must be from \(range.lowerBound) to \(range.upperBound) (got \(value))") }
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
