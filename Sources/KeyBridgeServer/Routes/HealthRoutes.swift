import Hummingbird
import KeyBridgeRegistration

/// `/healthz`: the server answers and its directory can be read (no token needed, no data shown).
struct HealthRoutes {
    let service: RegistrationService

    func register(on router: Router<APIRequestContext>) {
        router.get("healthz") { _, _ in
            do {
                _ = try await service.store.tenants()
                return GraphJSON.response(["status": "ok"])
            } catch {
                return GraphJSON.response(["status": "directory unavailable"], status: .serviceUnavailable)
            }
        }
    }
}
