import Foundation
import KeyBridgePCSC
import XCTest

@testable import KeyBridgeFIDO

/// Serial numbers in discovery: the virtual key's published descriptor, the contactless card's
/// UID (PC/SC GET DATA) and the sysfs lookup used for USB keys.
final class SerialNumberTests: XCTestCase {
    func testVirtualKeyPublishesItsSerialBesideItsSocket() throws {
        let vkey = try VirtualKeyProcess(options: ["--serial", "KB-TEST-42"])
        let identityPath = vkey.socketPath + ".json"
        let identity = try JSONDecoder().decode(
            VirtualKeyIdentity.self, from: try Data(contentsOf: URL(fileURLWithPath: identityPath)))
        XCTAssertEqual(identity.serialNumber, "KB-TEST-42")
        XCTAssertEqual(identity.manufacturer, "keybridge")
        XCTAssertEqual(identity.vendorID, 0)

        let listed = try ProcessRunner.run(
            TestPaths.keybridge, ["devices", "--json"], environment: ["KEYBRIDGE_VKEY_DIR": vkey.directory.path])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let devices = try XCTUnwrap(try JSONSerialization.jsonObject(with: listed.stdoutData) as? [[String: Any]])
        let virtual = devices.filter { ($0["transport"] as? String) == "virtual" }
        XCTAssertEqual(virtual.map { $0["id"] as? String }, [vkey.deviceID], "only the socket is a key: \(virtual)")
        XCTAssertEqual(virtual.first?["serialNumber"] as? String, "KB-TEST-42")
        XCTAssertEqual(virtual.first?["product"] as? String, "Virtual security key")

        vkey.stop()
        XCTAssertFalse(FileManager.default.fileExists(atPath: identityPath), "the descriptor goes with the key")
    }

    func testSerialNumberIsLeftOutOfTheJSONWhenUnknown() throws {
        let encoder = JSONEncoder()
        let without = DeviceDescriptor(id: "hid:/dev/hidraw0", transport: .usb, path: "/dev/hidraw0", manufacturer: "", product: "")
        let plain = try XCTUnwrap(try JSONSerialization.jsonObject(with: encoder.encode(without)) as? [String: Any])
        XCTAssertNil(plain["serialNumber"])
        XCTAssertEqual(
            Set(plain.keys), ["id", "transport", "path", "manufacturer", "product", "vendorID", "productID", "capabilities"])
        var with = without
        with.serialNumber = "0123"
        let decoded = try JSONDecoder().decode(DeviceDescriptor.self, from: encoder.encode(with))
        XCTAssertEqual(decoded.serialNumber, "0123")
    }

    func testCardUIDIsReadDuringDiscoveryAndFollowsTheSerial() throws {
        let first = try VirtualCardProcess(slot: 0, options: ["--serial", "KB-CARD-1"])
        let second = try VirtualCardProcess(slot: 1, options: ["--serial", "KB-CARD-2"])
        let discovery = DeviceDiscovery(virtualKeyDirectory: "/nonexistent")
        let once = discovery.devices()
        let twice = discovery.devices()
        let uid = try XCTUnwrap(once.first { $0.id == first.deviceID }?.serialNumber, "\(once)")
        XCTAssertEqual(twice.first { $0.id == first.deviceID }?.serialNumber, uid, "the UID is stable")
        XCTAssertEqual(uid.count, 14, "a 7-byte UID: \(uid)")
        XCTAssertTrue(uid.allSatisfy { "0123456789ABCDEF".contains($0) }, "uppercase hex: \(uid)")
        let other = try XCTUnwrap(once.first { $0.id == second.deviceID }?.serialNumber, "\(once)")
        XCTAssertNotEqual(other, uid, "another serial gives another UID")

        // The UID is what the card answers to GET DATA, byte for byte; a short Le gets 6C 07.
        let context = try PCSCContext()
        let card = try context.connect(reader: first.reader)
        defer { card.disconnect() }
        let reply = try XCTUnwrap(ResponseAPDU(try card.transmit([0xFF, 0xCA, 0x00, 0x00, 0x00])))
        XCTAssertEqual(reply.statusWord, 0x9000)
        XCTAssertEqual(reply.data.map { String(format: "%02X", $0) }.joined(), uid)
        let short = try XCTUnwrap(ResponseAPDU(try card.transmit([0xFF, 0xCA, 0x00, 0x00, 0x04])))
        XCTAssertEqual(short.statusWord, 0x6C07)
        card.disconnect()

        // The same card restarted with the same serial keeps its UID, and the CLI shows it.
        first.stop()
        let again = try VirtualCardProcess(slot: 0, options: ["--serial", "KB-CARD-1"])
        let listed = try ProcessRunner.run(
            TestPaths.keybridge, ["devices", "--json"], environment: ["KEYBRIDGE_VKEY_DIR": "/nonexistent"])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let devices = try JSONDecoder().decode([DeviceDescriptor].self, from: listed.stdoutData)
        XCTAssertEqual(devices.first { $0.id == again.deviceID }?.serialNumber, uid, listed.stdout)
    }

    func testUSBSerialLookupFollowsSysfsAncestors() throws {
        XCTAssertNil(USBSerialNumber.of(hidrawNode: "/dev/hidraw-none"))
        XCTAssertNil(USBSerialNumber.of(hidrawNode: "/dev/null"))
        // Every hidraw node: libudev's answer equals the `serial` file of its usb_device ancestor.
        for node in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/hidraw")) ?? [] {
            let expected = Self.ancestorFile("serial", of: "/sys/class/hidraw/\(node)") { directory in
                Self.subsystem(of: directory) == "usb" && Self.uevent(of: directory).contains("DEVTYPE=usb_device")
            }
            XCTAssertEqual(USBSerialNumber.of(hidrawNode: "/dev/\(node)"), expected, node)
        }
        // No USB here, so check the same ancestor walk on a device that sits below a PCI function.
        let blocks = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/block")) ?? []
        let candidates = blocks.map { "/sys/class/block/\($0)" }.compactMap { path -> (String, String)? in
            Self.ancestorFile("vendor", of: path) { Self.subsystem(of: $0) == "pci" }.map { (path, $0) }
        }
        guard let (device, vendor) = candidates.first else {
            throw XCTSkip("no block device below a PCI function on this machine")
        }
        XCTAssertEqual(USBSerialNumber.ancestorAttribute("vendor", subsystem: "pci", devtype: nil, syspath: device), vendor)
        XCTAssertNil(USBSerialNumber.ancestorAttribute("no-such-attribute", subsystem: "pci", devtype: nil, syspath: device))
        let usbAncestor = Self.ancestorFile("serial", of: device) { Self.subsystem(of: $0) == "usb" }
        XCTAssertEqual(USBSerialNumber.of(syspath: device), usbAncestor, "\(device) has no USB device above it")
    }

    // MARK: Reading sysfs directly, to compare with libudev

    /// The trimmed contents of `name` in the nearest directory above `path` that `matches`.
    private static func ancestorFile(_ name: String, of path: String, matches: (String) -> Bool) -> String? {
        var directory = URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path.hasPrefix("/sys/devices/") {
            if matches(directory.path) {
                let text = (try? String(contentsOfFile: directory.appendingPathComponent(name).path, encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                return text?.isEmpty == false ? text : nil
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    private static func subsystem(of directory: String) -> String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/subsystem"))?
            .split(separator: "/").last.map(String.init)
    }

    private static func uevent(of directory: String) -> String {
        (try? String(contentsOfFile: directory + "/uevent", encoding: .utf8)) ?? ""
    }
}
