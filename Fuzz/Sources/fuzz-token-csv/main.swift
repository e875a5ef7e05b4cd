import Foundation
import FuzzSupport
import KeyBridgeOATH
@testable import KeyBridgeRegistration

/// The hardware-token CSV import's parsing (`TokenCSV.records`, RFC 4180 through SwiftCSV) and
/// the per-field checks a row goes through (Base32 secret, interval). Lines must only grow.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    guard let records = try? TokenCSV.records(text) else { return 0 }
    var previous = 0
    for record in records {
        precondition(record.line > previous, "line numbers must increase")
        previous = record.line
        if record.fields.count == 6 {
            _ = Base32.decode(record.fields[2].trimmingCharacters(in: .whitespaces))
            _ = Int(record.fields[3].trimmingCharacters(in: .whitespaces))
        }
    }
    _ = RegistrationService.tokenCSVHeader
    return 0
}
