import Foundation
import Hummingbird
import NIOCore
import KeyBridgeRegistration

/// `/users/{id|upn}/authentication/temporaryAccessPassMethods`: issue, list, read, delete.
struct TemporaryAccessPassRoutes {
    let service: RegistrationService

    /// Under `/users/{id}` and `/me`; a signed-in user may read their passes, never issue or delete them.
    func register(on group: RouterGroup<APIRequestContext>) {
        for prefix in ["users/:user/authentication/temporaryAccessPassMethods", "me/authentication/temporaryAccessPassMethods"] {
            let passes = group.group(RouterPath(prefix))
            passes.get { request, context in try await list(request, context) }
            passes.get(":pass") { request, context in try await read(request, context) }
            passes.post { request, context in try await issue(request, context) }
            passes.delete(":pass") { request, context in try await delete(request, context) }
            passes.refuseMethods(on: "", except: [.get, .post])
            passes.refuseMethods(on: ":pass", except: [.get, .delete])
        }
    }

    private func list(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .read)
        let lifetime = try await service.configuration(target.tenant).methods.temporaryAccessPassLifetime
        let items = try await service.store.passes(upn: target.user.upn, tenant: target.tenant)
            .map { GraphJSON.temporaryAccessPass($0, lifetime: lifetime) }
        return GraphJSON.collection(items, context: target.context("authentication/temporaryAccessPassMethods"))
    }

    private func read(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .read)
        let id = try context.pathParameter("pass")
        let lifetime = try await service.configuration(target.tenant).methods.temporaryAccessPassLifetime
        guard let pass = try await service.store.passes(upn: target.user.upn, tenant: target.tenant).first(where: { $0.id == id }) else {
            throw GraphError.notFound("No Temporary Access Pass \(id).")
        }
        return GraphJSON.response(GraphJSON.temporaryAccessPass(pass, lifetime: lifetime))
    }

    /// Issues a pass with the tenant's lifetime and one-time setting; the pass is in this response only.
    private func issue(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage, selfService: false, kiosk: true)
        let policy = try await service.configuration(target.tenant).methods
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        if body.readableBytes > 0 {
            let fields = try JSONDecoder().decode(PassRequest.self, from: Data(body.readableBytesView))
            if let minutes = fields.lifetimeInMinutes, minutes != Int((policy.temporaryAccessPassLifetime / 60).rounded()) {
                throw GraphError.badRequest("lifetimeInMinutes is set by the tenant's policy (\(Int(policy.temporaryAccessPassLifetime / 60)) minutes).")
            }
            if let once = fields.isUsableOnce, once != policy.temporaryAccessPassOneTime {
                throw GraphError.badRequest("isUsableOnce is set by the tenant's policy (\(policy.temporaryAccessPassOneTime)).")
            }
        }
        let issued = try await service.issueTemporaryAccessPass(
            upn: target.user.upn, tenant: target.tenant, admin: try target.adminName(), client: context.client)
        return GraphJSON.response(
            GraphJSON.temporaryAccessPass(issued.record, issued: Date(), lifetime: policy.temporaryAccessPassLifetime, text: issued.pass),
            status: .created)
    }

    private func delete(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage, selfService: false, kiosk: true)
        let id = try context.pathParameter("pass")
        try await service.deleteTemporaryAccessPass(
            id: id, upn: target.user.upn, tenant: target.tenant, admin: try target.adminName(), client: context.client)
        return Response(status: .noContent)
    }
}

/// The optional body of `POST …/temporaryAccessPassMethods`; the tenant's policy decides both values.
private struct PassRequest: Decodable {
    var lifetimeInMinutes: Int?
    var isUsableOnce: Bool?
}
