import ArgumentParser
import KeyBridgeFIDO
import KeyBridgeRegistration

struct InfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show everything a key reports about itself (authenticatorGetInfo).",
        discussion: """
            The key model is named from the directory's FIDO metadata (keybridge admin metadata import) when \
            the directory (--directory or $KEYBRIDGE_DIRECTORY) has an entry for its AAGUID; it is only read. \
            JSON: {"device": {id, transport, …}, "info": {versions, extensions, aaguid, options, …}, "model": \
            name or absent}.
            """)

    @OptionGroup var output: OutputOptions
    @OptionGroup var deviceOptions: DeviceOptions
    @OptionGroup var directory: DirectoryOptions

    struct Report: Encodable {
        var device: DeviceDescriptor
        var info: DeviceInfo
        var model: String?
    }

    func run() async throws {
        try await Output.reporting(json: output.json) {
            let key = try await deviceOptions.open()
            let info = try await key.info(timeout: deviceOptions.timeoutDuration)
            await key.close()
            let model = await modelName(aaguid: info.aaguid)
            if output.json { return try Output.json(Report(device: key.descriptor, info: info, model: model)) }
            print(Self.render(key.descriptor, info, model: model))
        }
    }

    /// The metadata's description of the key model, when there is a directory with an entry for it.
    private func modelName(aaguid: String) async -> String? {
        guard !aaguid.isEmpty, let service = try? await directory.existingService() else { return nil }
        return try? await service.metadataEntry(aaguid: aaguid)?.description
    }

    static func render(_ device: DeviceDescriptor, _ info: DeviceInfo, model: String? = nil) -> String {
        var lines = ["Device:           \(device.id) (\(device.manufacturer) \(device.product))"]
        if let model { lines.append("Model:            \(model) (FIDO metadata)") }
        lines.append("FIDO2:            \(info.isFIDO2 ? "yes" : "no (U2F only)")")
        lines.append("Versions:         \(info.versions.joined(separator: ", "))")
        lines.append("AAGUID:           \(info.aaguid)")
        lines.append("Extensions:       \(info.extensions.joined(separator: ", "))")
        let options = info.options.keys.sorted().map { "\($0)=\(info.options[$0]! ? "true" : "false")" }
        lines.append("Options:          \(options.joined(separator: ", "))")
        lines.append("Algorithms:       \(info.algorithms.map { COSEAlgorithm(rawValue: $0.alg)?.name ?? String($0.alg) }.joined(separator: ", "))")
        lines.append("Transports:       \(info.transports.joined(separator: ", "))")
        lines.append("PIN protocols:    \(info.pinProtocols.map(String.init).joined(separator: ", "))")
        lines.append("Max message size: \(info.maxMessageSize)")
        lines.append("Firmware:         \(info.firmwareVersion) (CTAPHID device version \(info.deviceVersion))")
        lines.append("Min PIN length:   \(info.minPINLength)\(info.forcePINChange ? " (PIN change required)" : "")")
        if let remaining = info.remainingDiscoverableCredentials {
            lines.append("Free slots:       \(remaining) discoverable credentials")
        }
        return lines.joined(separator: "\n")
    }
}
