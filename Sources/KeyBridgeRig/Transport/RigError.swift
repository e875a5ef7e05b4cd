/// Why the rig could not talk to a key at all (as opposed to a key answering wrongly, which is a
/// test failure, not an error).
public enum RigError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The key cannot be reached: gone, unplugged, or its connection closed.
    case unreachable(String)
    /// The key did not answer in time.
    case timeout(String)
    /// The key answered with something that is not a valid frame of its transport.
    case framing(String)
    /// A requested key was not found among those connected.
    case deviceNotFound(String)
    /// An option or hook was wrong.
    case usage(String)

    public var description: String {
        switch self {
        case .unreachable(let why): "the key cannot be reached: \(why)"
        case .timeout(let why): "the key did not answer in time: \(why)"
        case .framing(let why): "the key broke its transport's framing: \(why)"
        case .deviceNotFound(let id): "no key \(id) is connected (run `keybridge devices` to list them)"
        case .usage(let why): why
        }
    }

    /// Whether the key itself is gone (so its remaining tests fail without being tried).
    public var keyIsGone: Bool {
        if case .unreachable = self { return true }
        return false
    }
}
