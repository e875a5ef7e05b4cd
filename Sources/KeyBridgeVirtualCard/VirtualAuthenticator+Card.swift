import KeyBridgeAuthenticator

extension VirtualAuthenticator: CTAPRequestHandling {
    public func handleCTAP2(
        _ request: [UInt8], keepAlive: @escaping @Sendable (UInt8) -> Void,
        isCancelled: @escaping @Sendable () -> Bool
    ) -> [UInt8] {
        handleCTAP2(request, context: RequestContext(keepAlive: keepAlive, isCancelled: isCancelled))
    }

    public func handleU2F(_ apdu: [UInt8]) -> [UInt8] { handleU2F(apdu: apdu) }

    public var supportsU2F: Bool { currentConfiguration.u2f }
}
