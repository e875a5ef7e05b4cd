/// What a transport gives the authenticator core for one request: a way to report that it is
/// still working (CTAPHID KEEPALIVE, NFC `91 00`) and a way to learn it was cancelled.
public struct RequestContext: Sendable {
    /// Called with 1 (processing) or 2 (waiting for user presence).
    public var keepAlive: @Sendable (UInt8) -> Void
    /// Polled while waiting; true ends the request with CTAP2_ERR_KEEPALIVE_CANCEL.
    public var isCancelled: @Sendable () -> Bool

    public init(
        keepAlive: @escaping @Sendable (UInt8) -> Void = { _ in }, isCancelled: @escaping @Sendable () -> Bool = { false }
    ) {
        self.keepAlive = keepAlive
        self.isCancelled = isCancelled
    }
}
