import Foundation
import Hummingbird
import KeyBridgeRegistration
import NIOCore

/// `/healthz`: the server answers and its directory can be read (no token needed, no data shown);
/// `/openapi.yaml`: the API's OpenAPI document (the file committed beside this target).
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
        router.get("openapi.yaml") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"), let data = try? Data(contentsOf: url) else {
                throw GraphError.notFound("The OpenAPI document is not installed beside the server.")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/yaml"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.refuseMethods(on: "healthz", except: [.get])
        router.refuseMethods(on: "openapi.yaml", except: [.get])
    }
}
