import CFido2
import Foundation

extension SecurityKey {
    /// Reads authenticatorGetInfo and the CTAPHID identity of the key.
    public func info(timeout: Duration = .seconds(5)) async throws(KeyBridgeError) -> DeviceInfo {
        try await perform(timeout: timeout) { handle throws(KeyBridgeError) in
            try Self.readInfo(handle.pointer)
        }
    }

    static func readInfo(_ device: OpaquePointer) throws(KeyBridgeError) -> DeviceInfo {
        let version = "\(fido_dev_major(device)).\(fido_dev_minor(device)).\(fido_dev_build(device))"
        let isFIDO2 = fido_dev_is_fido2(device)
        guard isFIDO2 else {
            var info = DeviceInfo.empty
            info.isFIDO2 = false
            info.ctaphidProtocol = Int(fido_dev_protocol(device))
            info.deviceVersion = version
            info.capabilities = Int(fido_dev_flags(device))
            info.versions = ["U2F_V2"]
            return info
        }
        guard let info = fido_cbor_info_new() else { throw .transport("out of memory") }
        var infoPointer: OpaquePointer? = info
        defer { fido_cbor_info_free(&infoPointer) }
        try FidoStatus.check(fido_dev_get_cbor_info(device, info), "authenticatorGetInfo")

        let optionNames = strings(fido_cbor_info_options_name_ptr(info), fido_cbor_info_options_len(info))
        var options: [String: Bool] = [:]
        if let values = fido_cbor_info_options_value_ptr(info) {
            for (index, name) in optionNames.enumerated() { options[name] = values[index] }
        }
        let algorithms = (0..<fido_cbor_info_algorithm_count(info)).map { index in
            DeviceInfo.Algorithm(
                alg: Int(fido_cbor_info_algorithm_cose(info, index)),
                type: fido_cbor_info_algorithm_type(info, index).map { String(cString: $0) } ?? "public-key")
        }
        let certNames = strings(fido_cbor_info_certs_name_ptr(info), fido_cbor_info_certs_len(info))
        var certifications: [String: UInt64] = [:]
        if let values = fido_cbor_info_certs_value_ptr(info) {
            for (index, name) in certNames.enumerated() { certifications[name] = values[index] }
        }
        let remaining = fido_cbor_info_rk_remaining(info)
        return DeviceInfo(
            isFIDO2: true, ctaphidProtocol: Int(fido_dev_protocol(device)), deviceVersion: version,
            capabilities: Int(fido_dev_flags(device)),
            versions: strings(fido_cbor_info_versions_ptr(info), fido_cbor_info_versions_len(info)),
            extensions: strings(fido_cbor_info_extensions_ptr(info), fido_cbor_info_extensions_len(info)),
            aaguid: UUIDFormatting.string(bytes(fido_cbor_info_aaguid_ptr(info), fido_cbor_info_aaguid_len(info))),
            options: options, maxMessageSize: Int(fido_cbor_info_maxmsgsiz(info)),
            pinProtocols: bytes(fido_cbor_info_protocols_ptr(info), fido_cbor_info_protocols_len(info)).map(Int.init),
            maxCredentialCountInList: Int(fido_cbor_info_maxcredcntlst(info)),
            maxCredentialIdLength: Int(fido_cbor_info_maxcredidlen(info)),
            transports: strings(fido_cbor_info_transports_ptr(info), fido_cbor_info_transports_len(info)),
            algorithms: algorithms, firmwareVersion: fido_cbor_info_fwversion(info),
            maxCredBlobLength: Int(fido_cbor_info_maxcredbloblen(info)),
            maxLargeBlobArray: Int(fido_cbor_info_maxlargeblob(info)),
            remainingDiscoverableCredentials: remaining < 0 ? nil : Int(remaining),
            minPINLength: Int(fido_cbor_info_minpinlen(info)),
            forcePINChange: fido_cbor_info_new_pin_required(info),
            maxRPIDsForSetMinPINLength: Int(fido_cbor_info_maxrpid_minpinlen(info)),
            preferredPlatformUVAttempts: Int(fido_cbor_info_uv_attempts(info)),
            uvModality: Int(fido_cbor_info_uv_modality(info)), certifications: certifications)
    }
}

/// Copies a libfido2 `char **` array of `count` C strings.
func strings(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ count: Int) -> [String] {
    guard let pointer else { return [] }
    return (0..<count).compactMap { pointer[$0].map { String(cString: $0) } }
}

/// Copies `count` bytes from a libfido2 buffer (empty when the pointer is NULL).
func bytes(_ pointer: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
    guard let pointer, count > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: pointer, count: count))
}
