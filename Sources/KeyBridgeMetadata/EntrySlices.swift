import Foundation

/// Finds the bytes of each element of a payload's top-level `entries` array, so each entry's JSON can be kept
/// exactly as published instead of being re-serialised (which costs ~15× the parse).
///
/// Assumes the input has already parsed as JSON; it only tracks strings and nesting. Returns nil when it cannot
/// find a top-level `entries` array (the caller then re-serialises).
enum EntrySlices {
    static func ranges(in json: Data) -> [Range<Int>]? {
        json.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> [Range<Int>]? in
            var scanner = Scanner(bytes: buffer.bindMemory(to: UInt8.self))
            return scanner.entryRanges()
        }
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        private static let entriesKey = Array("entries".utf8)

        mutating func entryRanges() -> [Range<Int>]? {
            skipWhitespace()
            guard consume(UInt8(ascii: "{")) else { return nil }
            var found: [Range<Int>]?
            while true {
                skipWhitespace()
                if consume(UInt8(ascii: "}")) { return found }
                guard let key = string() else { return nil }
                skipWhitespace()
                guard consume(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                if bytes[key].elementsEqual(Self.entriesKey) {
                    guard let elements = arrayElements() else { return nil }
                    found = elements
                } else {
                    guard skipValue() else { return nil }
                }
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                guard consume(UInt8(ascii: "}")) else { return nil }
                return found
            }
        }

        /// The ranges of the array's elements, leaving `position` after its `]`.
        private mutating func arrayElements() -> [Range<Int>]? {
            guard consume(UInt8(ascii: "[")) else { return nil }
            var ranges: [Range<Int>] = []
            skipWhitespace()
            if consume(UInt8(ascii: "]")) { return ranges }
            while true {
                skipWhitespace()
                let start = position
                guard skipValue() else { return nil }
                ranges.append(start..<position)
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                guard consume(UInt8(ascii: "]")) else { return nil }
                return ranges
            }
        }

        /// Skips one value of any kind.
        private mutating func skipValue() -> Bool {
            guard position < bytes.count else { return false }
            switch bytes[position] {
            case UInt8(ascii: "\""):
                return string() != nil
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while position < bytes.count {
                    switch bytes[position] {
                    case UInt8(ascii: "\""):
                        guard string() != nil else { return false }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 {
                            position += 1
                            return true
                        }
                    default:
                        break
                    }
                    position += 1
                }
                return false
            default:
                let start = position
                while position < bytes.count, !Self.endsScalar(bytes[position]) { position += 1 }
                return position > start
            }
        }

        /// Skips a string; returns the range of its contents (escapes left as they are).
        private mutating func string() -> Range<Int>? {
            guard consume(UInt8(ascii: "\"")) else { return nil }
            let start = position
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "\\"):
                    position += 2
                case UInt8(ascii: "\""):
                    defer { position += 1 }
                    return start..<position
                default:
                    position += 1
                }
            }
            return nil
        }

        private static func endsScalar(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"),
                UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                return true
            default:
                return false
            }
        }

        private mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                    position += 1
                default:
                    return
                }
            }
        }

        private mutating func consume(_ byte: UInt8) -> Bool {
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }
    }
}
