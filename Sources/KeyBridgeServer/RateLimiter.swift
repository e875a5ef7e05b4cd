import Foundation
import Hummingbird
import Synchronization

/// Per-client-address token buckets: at most `burst` requests at once, refilled at `perSecond`.
/// Over the limit, 429 with `Retry-After`. The buckets live in this process (a limit per server).
final class RateLimiter: RouterMiddleware, Sendable {
    typealias Context = APIRequestContext
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let perSecond: Double
    let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = burst
    }

    /// Takes one token for `client`; false when its bucket is empty.
    func admit(_ client: String, now: ContinuousClock.Instant = .now) -> Bool {
        buckets.withLock { buckets in
            if buckets.count > 100_000 { buckets.removeAll() }  // bounded memory under address scans
            var bucket = buckets[client] ?? Bucket(tokens: burst, updated: now)
            let elapsed = Double((now - bucket.updated).components.seconds)
                + Double((now - bucket.updated).components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + elapsed * perSecond)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[client] = bucket
                return false
            }
            bucket.tokens -= 1
            buckets[client] = bucket
            return true
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard admit(context.clientAddress) else {
            throw GraphError(status: .tooManyRequests, code: "tooManyRequests", message: "Too many requests from \(context.clientAddress); retry in a second.")
        }
        return try await next(request, context)
    }
}
