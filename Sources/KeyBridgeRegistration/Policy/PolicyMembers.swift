/// Members a policy document may have: one it does not know — a typo such as `requireMfa` for
/// `requireMFA` — is refused, naming it, where it is, and the nearest known member, instead of
/// being ignored (a security setting silently not applied).
enum PolicyMembers {
    /// Any member name, to list what a document object holds.
    struct Name: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Throws when the object `decoder` reads has a member that `Key` does not name.
    static func refuseUnknown<Key: CodingKey & CaseIterable>(_ decoder: any Decoder, known _: Key.Type) throws {
        let known = Key.allCases.map(\.stringValue)
        let present = try decoder.container(keyedBy: Name.self).allKeys.map(\.stringValue).sorted()
        guard let unknown = present.first(where: { !known.contains($0) }) else { return }
        var message = "unknown member \"\(unknown)\""
        if let near = nearest(unknown, in: known) { message += " (did you mean \"\(near)\"?)" }
        message += "; known here: \(known.joined(separator: ", "))"
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [Name(unknown)], debugDescription: message))
    }

    /// The known name closest to `name` — the same but for case, one that begins with the other, or
    /// at most a third of its letters apart — or nil.
    static func nearest(_ name: String, in known: [String]) -> String? {
        let lowered = name.lowercased()
        if let same = known.first(where: { $0.lowercased() == lowered }) { return same }
        if lowered.count >= 4, let longer = known.first(where: { $0.lowercased().hasPrefix(lowered) || lowered.hasPrefix($0.lowercased()) }) {
            return longer
        }
        let scored = known.map { ($0, distance(Array(name.lowercased()), Array($0.lowercased()))) }.min { $0.1 < $1.1 }
        guard let (best, score) = scored, score <= max(2, name.count / 3) else { return nil }
        return best
    }

    /// Levenshtein distance.
    private static func distance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
