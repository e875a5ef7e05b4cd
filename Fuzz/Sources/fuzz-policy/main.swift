import Foundation
import FuzzSupport
import KeyBridgeRegistration
import Yams

/// Tenant policy documents as `keybridge admin policy set` reads them: JSON through
/// `JSONDecoder` and YAML through Yams's `YAMLDecoder` (what the CLI calls), into
/// `TenantConfiguration`. A document that decodes must encode and decode again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    var decoded: [TenantConfiguration] = []
    if let configuration = try? JSONDecoder().decode(TenantConfiguration.self, from: Data(bytes)) {
        decoded.append(configuration)
    }
    if let text = String(validating: bytes, as: UTF8.self),
        let configuration = try? YAMLDecoder().decode(TenantConfiguration.self, from: text)
    {
        decoded.append(configuration)
    }
    for configuration in decoded {
        guard let json = try? JSONEncoder().encode(configuration) else { continue }
        _ = try? JSONDecoder().decode(TenantConfiguration.self, from: json)
        if let yaml = try? YAMLEncoder().encode(configuration) {
            _ = try? YAMLDecoder().decode(TenantConfiguration.self, from: yaml)
        }
    }
    return 0
}
