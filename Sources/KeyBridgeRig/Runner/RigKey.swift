import Foundation
import KeyBridgeFIDO
import KeyBridgePCSC

/// A key under test: how to reach it, and what the rig can do to it besides talking CTAP (cycle
/// its power, touch it).
///
/// Identity is the key's serial number and AAGUID (from getInfo), not its hidraw index or reader
/// slot: a key that comes back on another node after a power cycle is found again by them.
public final class RigKey: @unchecked Sendable {
    public let descriptor: DeviceDescriptor
    let hooks: RigHooks
    /// The AAGUID, once getInfo has been read.
    public internal(set) var aaguid: String?

    public init(descriptor: DeviceDescriptor, hooks: RigHooks) {
        self.descriptor = descriptor
        self.hooks = hooks
    }

    /// The id in reports: `SERIAL` when the key has a serial number, else its device id.
    public var name: String { descriptor.serialNumber ?? descriptor.id }

    /// The virtual key's control socket (`<socket>.ctl`), when this is a virtual key that has one.
    var controlSocket: String? {
        guard descriptor.transport == .virtual else { return nil }
        let path = descriptor.path + ".ctl"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Opens a CTAP link to the key.
    public func connect() throws(RigError) -> any CTAPLink {
        switch descriptor.transport {
        case .virtual: return try HIDLink(pipe: .unixSocket(descriptor.path))
        case .usb: return try HIDLink(pipe: .hidraw(descriptor.path))
        case .nfc:
            let reader = String(descriptor.id.dropFirst(4))
            do {
                return try NFCLink(card: try PCSCContext().connect(reader: reader))
            } catch let error as RigError {
                throw error
            } catch {
                throw .unreachable("\(error)")
            }
        }
    }

    /// The ways the rig can cycle a key's power.
    enum PowerMethod {
        case hook(String)
        case controlSocket(String)
        case pcscPowerDown

        var name: String {
            switch self {
            case .hook: "hook"
            case .controlSocket: "virtual-key control socket"
            case .pcscPowerDown: "PC/SC power-down"
            }
        }
    }

    /// How the rig can cycle this key's power, best first: the operator's hook, the virtual key's
    /// control socket, PC/SC power-down; nil when it cannot.
    var powerMethod: PowerMethod? {
        if let hook = hooks.powerHook { return .hook(hook) }
        if let control = controlSocket { return .controlSocket(control) }
        if descriptor.transport == .nfc { return .pcscPowerDown }
        return nil
    }

    /// Cycles the key's power and returns a link to it: the same one, or a new one after the old
    /// was closed.
    func powerCycle(closing link: any CTAPLink) throws -> any CTAPLink {
        switch powerMethod {
        case .hook(let hook)?:
            link.close()
            try hooks.run(hook, action: "power-cycle", key: self)
            return try reconnect(within: 15)
        case .controlSocket(let control)?:
            try ControlSocket.send(["cmd": "powerCycle"], to: control)
            return link
        case .pcscPowerDown?:
            guard let nfc = link as? NFCLink else { throw RigError.usage("a contactless key without a PC/SC link") }
            do {
                try nfc.connection.card.reconnect(powerCycle: true)
            } catch {
                throw RigError.unreachable("the card did not come back after a power-down: \(error)")
            }
            try nfc.connection.select()
            return nfc
        case nil:
            throw NeedsPowerCycle("no way to cycle this key's power: give --power-hook")
        }
    }

    /// Connects again, waiting for the key to reappear, found by its serial number when the
    /// node changed (a USB key re-enumerates after a power cycle).
    func reconnect(within seconds: TimeInterval) throws(RigError) -> any CTAPLink {
        let deadline = Date().addingTimeInterval(seconds)
        var lastError = RigError.unreachable("the key did not come back")
        while Date() < deadline {
            do {
                return try connect()
            } catch {
                lastError = error
            }
            if let serial = descriptor.serialNumber, descriptor.transport == .usb,
                let moved = DeviceDiscovery().usbDevices().first(where: { $0.serialNumber == serial }),
                let link = try? RigKey(descriptor: moved, hooks: hooks).connect()
            {
                return link
            }
            usleep(200_000)
        }
        throw lastError
    }

    /// Delivers a touch when a request waits for one: the presence hook, or the virtual key's
    /// control socket. Returns false when the rig has no way (a person must touch the key).
    @discardableResult
    func touch() -> Bool {
        if let hook = hooks.presenceHook {
            return (try? hooks.run(hook, action: "touch", key: self)) != nil
        }
        if let control = controlSocket {
            return (try? ControlSocket.send(["cmd": "touch"], to: control)) != nil
        }
        return false
    }
}

/// The operator's commands for what the rig cannot do itself. Each runs through `/bin/sh -c` with
/// `KEYBRIDGE_RIG_ACTION` (`power-cycle` or `touch`), `KEYBRIDGE_RIG_DEVICE`, `KEYBRIDGE_RIG_SERIAL`
/// and `KEYBRIDGE_RIG_AAGUID` set; a non-zero exit fails the test that needed it.
public struct RigHooks: Sendable {
    public var powerHook: String?
    public var presenceHook: String?
    public var timeout: TimeInterval

    public init(powerHook: String? = nil, presenceHook: String? = nil, timeout: TimeInterval = 30) {
        self.powerHook = powerHook
        self.presenceHook = presenceHook
        self.timeout = timeout
    }

    func run(_ command: String, action: String, key: RigKey) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        environment["KEYBRIDGE_RIG_ACTION"] = action
        environment["KEYBRIDGE_RIG_DEVICE"] = key.descriptor.id
        environment["KEYBRIDGE_RIG_SERIAL"] = key.descriptor.serialNumber ?? ""
        environment["KEYBRIDGE_RIG_AAGUID"] = key.aaguid ?? ""
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            throw RigError.usage("the \(action) hook did not finish within \(Int(timeout)) s: \(command)")
        }
        guard process.terminationStatus == 0 else {
            throw RigError.usage("the \(action) hook exited with status \(process.terminationStatus): \(command)")
        }
    }
}
