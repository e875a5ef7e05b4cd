/// The module grid of one QR version: function patterns (finders, separators, timing, alignment,
/// format and version areas), then the data in the standard zigzag, a mask, and the format bits.
struct QRGrid {
    let version: Int
    let size: Int
    var dark: [[Bool]]
    /// Modules that belong to function patterns (never masked, never data).
    var reserved: [[Bool]]

    init(version: Int) {
        self.version = version
        size = 17 + 4 * version
        dark = Array(repeating: Array(repeating: false, count: size), count: size)
        reserved = dark
        for (x, y) in [(0, 0), (size - 7, 0), (0, size - 7)] { drawFinder(x: x, y: y) }
        for index in 8..<(size - 8) {
            set(index, 6, index % 2 == 0)
            set(6, index, index % 2 == 0)
        }
        let centres = Self.alignmentCentres(version)
        let last = centres.count - 1
        for (row, cy) in centres.enumerated() {
            for (column, cx) in centres.enumerated() {
                // Not over the three finders.
                if (row == 0 && column == 0) || (row == 0 && column == last) || (row == last && column == 0) { continue }
                drawAlignment(cx: cx, cy: cy)
            }
        }
        // Format areas (filled later) and the dark module.
        for index in 0..<9 {
            reserve(index, 8)
            reserve(8, index)
        }
        for index in 0..<8 {
            reserve(size - 1 - index, 8)
            reserve(8, size - 1 - index)
        }
        set(8, size - 8, true)
        if version >= 7 { drawVersion() }
    }

    private mutating func set(_ x: Int, _ y: Int, _ value: Bool) {
        dark[y][x] = value
        reserved[y][x] = true
    }

    private mutating func reserve(_ x: Int, _ y: Int) { reserved[y][x] = true }

    private mutating func drawFinder(x: Int, y: Int) {
        for dy in -1...7 {
            for dx in -1...7 {
                let (px, py) = (x + dx, y + dy)
                guard (0..<size).contains(px), (0..<size).contains(py) else { continue }
                let ring = max(abs(dx - 3), abs(dy - 3))
                set(px, py, ring != 2 && ring != 4)
            }
        }
    }

    private mutating func drawAlignment(cx: Int, cy: Int) {
        for dy in -2...2 {
            for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) }
        }
    }

    static func alignmentCentres(_ version: Int) -> [Int] {
        let table: [Int: [Int]] = [
            2: [6, 18], 3: [6, 22], 4: [6, 26], 5: [6, 30], 6: [6, 34], 7: [6, 22, 38], 8: [6, 24, 42], 9: [6, 26, 46],
            10: [6, 28, 50], 11: [6, 30, 54], 12: [6, 32, 58], 13: [6, 34, 62], 14: [6, 26, 46, 66], 15: [6, 26, 48, 70],
        ]
        return table[version] ?? []
    }

    /// The 18-bit version information (6 bits of version, 12 of BCH), in both corners.
    private mutating func drawVersion() {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        let bits = (version << 12) | remainder
        for index in 0..<18 {
            let bit = (bits >> index) & 1 == 1
            let (a, b) = (size - 11 + index % 3, index / 3)
            set(a, b, bit)
            set(b, a, bit)
        }
    }

    /// Codeword bits placed upwards and downwards in two-module columns from the bottom right.
    mutating func place(_ codewords: [UInt8]) {
        var bitIndex = 0
        let totalBits = codewords.count * 8
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for offset in 0..<2 {
                    let x = right - offset
                    let upward = ((right + 1) & 2) == 0
                    let y = upward ? size - 1 - vertical : vertical
                    guard !reserved[y][x] else { continue }
                    if bitIndex < totalBits {
                        dark[y][x] = (codewords[bitIndex >> 3] >> (7 - (bitIndex & 7))) & 1 == 1
                        bitIndex += 1
                    }
                }
            }
            right -= 2
        }
    }

    /// XORs a data-mask pattern over every non-function module.
    mutating func apply(mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !reserved[y][x] {
                let flip: Bool =
                    switch mask {
                    case 0: (x + y) % 2 == 0
                    case 1: y % 2 == 0
                    case 2: x % 3 == 0
                    case 3: (x + y) % 3 == 0
                    case 4: (y / 2 + x / 3) % 2 == 0
                    case 5: (x * y) % 2 + (x * y) % 3 == 0
                    case 6: ((x * y) % 2 + (x * y) % 3) % 2 == 0
                    default: ((x + y) % 2 + (x * y) % 3) % 2 == 0
                    }
                if flip { dark[y][x].toggle() }
            }
        }
    }

    /// The 15 format bits (level M, the mask, BCH, XOR 0x5412) around the finders.
    mutating func drawFormat(mask: Int) {
        let data = (0b00 << 3) | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = ((data << 10) | remainder) ^ 0x5412
        func bit(_ index: Int) -> Bool { (bits >> index) & 1 == 1 }
        for index in 0...5 { dark[index][8] = bit(index) }
        dark[7][8] = bit(6)
        dark[8][8] = bit(7)
        dark[8][7] = bit(8)
        for index in 9..<15 { dark[8][14 - index] = bit(index) }
        for index in 0..<8 { dark[8][size - 1 - index] = bit(index) }
        for index in 8..<15 { dark[size - 15 + index][8] = bit(index) }
        dark[size - 8][8] = true
    }

    /// The standard's penalty score: runs, 2×2 blocks, finder-like patterns and dark balance.
    func penalty() -> Int {
        var score = 0
        for line in 0..<size {
            for horizontal in [true, false] {
                var run = 1
                var history: [Bool] = []
                for index in 0..<size {
                    let value = horizontal ? dark[line][index] : dark[index][line]
                    history.append(value)
                    if index > 0 {
                        let previous = horizontal ? dark[line][index - 1] : dark[index - 1][line]
                        if value == previous {
                            run += 1
                            if run == 5 { score += 3 } else if run > 5 { score += 1 }
                        } else {
                            run = 1
                        }
                    }
                }
                score += 40 * Self.finderLike(history)
            }
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let value = dark[y][x]
                if dark[y][x + 1] == value, dark[y + 1][x] == value, dark[y + 1][x + 1] == value { score += 3 }
            }
        }
        let darkCount = dark.reduce(0) { $0 + $1.filter { $0 }.count }
        let percent = darkCount * 100 / (size * size)
        score += (abs(percent - 50) / 5) * 10
        return score
    }

    /// Occurrences of 1:1:3:1:1 dark-light pattern with four light modules on one side.
    private static func finderLike(_ line: [Bool]) -> Int {
        let pattern: [Bool] = [true, false, true, true, true, false, true]
        var count = 0
        guard line.count >= 11 else { return 0 }
        for start in 0...(line.count - 7) where Array(line[start..<start + 7]) == pattern {
            let before = start >= 4 && line[(start - 4)..<start].allSatisfy { !$0 }
            let after = start + 11 <= line.count && line[(start + 7)..<(start + 11)].allSatisfy { !$0 }
            if before || after { count += 1 }
        }
        return count
    }
}
