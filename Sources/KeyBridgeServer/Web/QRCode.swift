/// A QR code (ISO/IEC 18004) of a byte string, error correction level M, versions 1–15 (up to
/// 412 bytes): enough for an otpauth URI. The wizard shows it as SVG so the page needs no script
/// and no image from elsewhere.
struct QRCode {
    /// Modules, row by row; true is dark.
    let modules: [[Bool]]
    var size: Int { modules.count }

    enum Failure: Error { case tooLong(Int) }

    init(_ bytes: [UInt8]) throws(Failure) {
        guard let version = (1...15).first(where: { Self.capacity($0) >= bytes.count }) else { throw .tooLong(bytes.count) }
        let codewords = Self.interleaved(Self.dataCodewords(bytes, version: version), version: version)
        var best: (penalty: Int, grid: QRGrid)?
        for mask in 0..<8 {
            var grid = QRGrid(version: version)
            grid.place(codewords)
            grid.apply(mask: mask)
            grid.drawFormat(mask: mask)
            let penalty = grid.penalty()
            if best == nil || penalty < best!.penalty { best = (penalty, grid) }
        }
        modules = best!.grid.dark
    }

    /// The code as an SVG document: one path of the dark runs of each row, a quiet zone of four modules.
    func svg(moduleSize: Int = 4) -> String {
        let side = size + 8
        var path = ""
        for (y, row) in modules.enumerated() {
            var x = 0
            while x < size {
                guard row[x] else {
                    x += 1
                    continue
                }
                var run = 1
                while x + run < size, row[x + run] { run += 1 }
                path += "M\(x + 4) \(y + 4)h\(run)v1h-\(run)z"
                x += run
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="\(side * moduleSize)" \
            height="\(side * moduleSize)" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/>\
            <path fill="#000" d="\(path)"/></svg>
            """
    }

    // MARK: Codewords

    /// Error-correction codewords per block and the blocks' data lengths, level M.
    static let blocks: [Int: (ec: Int, data: [Int])] = [
        1: (10, [16]), 2: (16, [28]), 3: (26, [44]), 4: (18, [32, 32]), 5: (24, [43, 43]),
        6: (16, [27, 27, 27, 27]), 7: (18, [31, 31, 31, 31]), 8: (22, [38, 38, 39, 39]), 9: (22, [36, 36, 36, 37, 37]),
        10: (26, [43, 43, 43, 43, 44]), 11: (30, [50, 51, 51, 51, 51]), 12: (22, [36, 36, 36, 36, 36, 36, 37, 37]),
        13: (22, [37, 37, 37, 37, 37, 37, 37, 37, 38]), 14: (24, [40, 40, 40, 40, 41, 41, 41, 41, 41]),
        15: (24, [41, 41, 41, 41, 41, 42, 42, 42, 42, 42]),
    ]

    static func dataCapacity(_ version: Int) -> Int { blocks[version]!.data.reduce(0, +) }

    /// Bytes that fit: the data codewords less the mode and count fields.
    static func capacity(_ version: Int) -> Int { dataCapacity(version) - (version < 10 ? 2 : 3) }

    /// Byte mode, the count, the bytes, the terminator and the pad codewords.
    static func dataCodewords(_ bytes: [UInt8], version: Int) -> [UInt8] {
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) { for shift in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> shift) & 1 == 1) } }
        append(0b0100, 4)
        append(bytes.count, version < 10 ? 8 : 16)
        for byte in bytes { append(Int(byte), 8) }
        let capacityBits = dataCapacity(version) * 8
        append(0, min(4, capacityBits - bits.count))
        while bits.count % 8 != 0 { bits.append(false) }
        var codewords = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { ($0 << 1) | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while codewords.count < dataCapacity(version) {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }

    /// Data split into blocks, each with its Reed–Solomon codewords, interleaved column by column.
    static func interleaved(_ data: [UInt8], version: Int) -> [UInt8] {
        let (ecCount, lengths) = blocks[version]!
        var dataBlocks: [[UInt8]] = []
        var offset = 0
        for length in lengths {
            dataBlocks.append(Array(data[offset..<offset + length]))
            offset += length
        }
        let generator = ReedSolomon.generator(degree: ecCount)
        let ecBlocks = dataBlocks.map { ReedSolomon.remainder($0, generator: generator) }
        var result: [UInt8] = []
        for index in 0..<(lengths.max() ?? 0) {
            for block in dataBlocks where index < block.count { result.append(block[index]) }
        }
        for index in 0..<ecCount {
            for block in ecBlocks { result.append(block[index]) }
        }
        return result
    }
}

/// Arithmetic in GF(256) with the QR polynomial x⁸+x⁴+x³+x²+1, and Reed–Solomon remainders.
enum ReedSolomon {
    static let (exp, log): ([UInt8], [Int]) = {
        var exp = [UInt8](repeating: 0, count: 512)
        var log = [Int](repeating: 0, count: 256)
        var value = 1
        for power in 0..<255 {
            exp[power] = UInt8(value)
            log[value] = power
            value <<= 1
            if value & 0x100 != 0 { value ^= 0x11D }
        }
        for power in 255..<512 { exp[power] = exp[power - 255] }
        return (exp, log)
    }()

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        a == 0 || b == 0 ? 0 : exp[log[Int(a)] + log[Int(b)]]
    }

    /// The generator polynomial ∏(x − αⁱ), i < degree, highest coefficient first.
    static func generator(degree: Int) -> [UInt8] {
        var polynomial: [UInt8] = [1]
        for power in 0..<degree {
            var next = [UInt8](repeating: 0, count: polynomial.count + 1)
            for (index, coefficient) in polynomial.enumerated() {
                next[index] ^= coefficient
                next[index + 1] ^= multiply(coefficient, exp[power])
            }
            polynomial = next
        }
        return polynomial
    }

    /// The error-correction codewords of `data`: its remainder modulo the generator.
    static func remainder(_ data: [UInt8], generator: [UInt8]) -> [UInt8] {
        var remainder = [UInt8](repeating: 0, count: generator.count - 1)
        for byte in data {
            let factor = byte ^ remainder[0]
            remainder.removeFirst()
            remainder.append(0)
            for index in 0..<remainder.count { remainder[index] ^= multiply(generator[index + 1], factor) }
        }
        return remainder
    }
}
