import Hummingbird
import NIOCore
import Prometheus

/// `/metrics`: the server's request counters and timings in Prometheus' text format (no token
/// needed, like `/healthz`; the labels hold route templates, never a user's name or id).
struct MetricsRoutes {
    /// The exposition format's media type (version 0.0.4).
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    let registry: PrometheusCollectorRegistry

    func register(on router: Router<APIRequestContext>) {
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: Self.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.refuseMethods(on: "metrics", except: [.get])
    }
}

extension RequestMetrics {
    /// Records into `registry` through its swift-metrics factory, with ``durationBuckets`` for the
    /// duration histogram.
    init(registry: PrometheusCollectorRegistry) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Self.durationSeconds] = Self.durationBuckets
        self.init(factory: factory)
    }
}
