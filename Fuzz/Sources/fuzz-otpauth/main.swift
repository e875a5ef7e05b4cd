import Foundation
import FuzzSupport
import KeyBridgeOATH

/// otpauth:// URIs: parsing, printing back and parsing the printed form, and computing a code
/// with the parameters a URI accepted.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    _ = Base32.decode(text)
    guard let uri = try? OTPAuthURI(parsing: text) else { return 0 }
    _ = try? OTPAuthURI(parsing: uri.uriString)
    _ = Base32.encode(uri.secret)
    switch uri.kind {
    case .hotp:
        _ = OTPGenerator.hotp(secret: uri.secret, counter: uri.counter, digits: uri.digits, algorithm: uri.algorithm)
    case .totp:
        _ = OTPGenerator.totp(
            secret: uri.secret, time: Date(timeIntervalSince1970: 1_700_000_000), period: uri.period, digits: uri.digits,
            algorithm: uri.algorithm)
    }
    return 0
}
