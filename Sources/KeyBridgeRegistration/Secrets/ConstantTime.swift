/// Comparison of secrets that takes the same time whatever the first differing byte.
public enum ConstantTime {
    /// Whether `a` and `b` are equal; only their lengths leak.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
