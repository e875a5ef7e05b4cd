import KeyBridgeFIDO

/// Which connected keys a rig run tests.
public enum RigKeySelection {
    /// The keys named by `wanted`: `all` is every FIDO key connected now; anything else is a
    /// device id, a hidraw node or socket path, or a serial number. Each key once, in the order
    /// named. Throws `deviceNotFound` naming the first that is not connected, or `""` when
    /// nothing is.
    public static func keys(_ wanted: [String], discovery: DeviceDiscovery = DeviceDiscovery()) throws(RigError)
        -> [DeviceDescriptor]
    {
        let present = discovery.devices().filter { $0.capabilities.contains("fido2") }
        var chosen: [DeviceDescriptor] = []
        for name in wanted {
            if name == "all" {
                chosen += present
            } else if let match = present.first(where: { $0.id == name || $0.path == name || $0.serialNumber == name }) {
                chosen.append(match)
            } else if let named = try? discovery.device(id: name) {
                chosen.append(named)
            } else {
                throw .deviceNotFound(name)
            }
        }
        var seen = Set<String>()
        chosen = chosen.filter { seen.insert($0.id).inserted }
        guard !chosen.isEmpty else { throw .deviceNotFound("") }
        return chosen
    }
}
