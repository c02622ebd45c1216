"""API Gateway: a deployment is a snapshot of the API, readable with `embed=apisummary`.

moto 5.2.1 keeps no snapshot: a deployment is an id, a description and a date,
and GetDeployment ignores `embed`. So nothing could show which routes a stage
really serves, and "the stage still serves a removed route" (a deployment made
before the route was deleted) looked the same as a correct deployment.

What AWS does, kept here:
- A stage "represents a snapshot of the API, including methods, integrations,
  models, mapping templates, and Lambda authorizers": what the deployment
  captured when it was created, not the API as it is now
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-deployments.html).
- GetDeployment with `embed=apisummary` answers `apiSummary`, "a summary of the
  RestApi at the date and time that the deployment resource was created":
  resource path -> HTTP method -> {authorizationType, apiKeyRequired}
  (https://docs.aws.amazon.com/apigateway/latest/api/API_GetDeployment.html).
  Without `embed` there is no `apiSummary`.
- GetExport of a stage (`/restapis/<id>/stages/<stage>/exports/oas30`) exports
  "the deployed API" in OpenAPI 3 (https://docs.aws.amazon.com/apigateway/latest/api/API_GetExport.html):
  with `extensions=integrations` the `x-amazon-apigateway-integration` of each
  operation, `authorizers` the security schemes with their
  `x-amazon-apigateway-authorizer` and each operation's security (scopes),
  `apigateway` all of them plus the gateway responses and the resource policy
  (`x-amazon-apigateway-policy`). A resource policy changed after a deployment
  takes effect with the next deployment ("you must redeploy the API after you
  update the resource policy", API Gateway developer guide, "Create and attach
  an API Gateway resource policy to an API"), so the policy is part of the
  snapshot. The local edge (scripts/lib/edge) serves a stage from this export,
  as AWS serves the deployment, not the API as it is now.
  moto's own export is a Swagger 2 list of paths of the API as it is now.
"""
import json



def api_summary(api) -> dict:
    """The API as it is now: resource path -> HTTP method -> {authorizationType, apiKeyRequired}."""
    summary = {}
    for resource in api.resources.values():
        for method_type, method in resource.resource_methods.items():
            summary.setdefault(resource.get_path(), {})[method_type] = {
                "authorizationType": method.authorization_type or "NONE",
                "apiKeyRequired": bool(method.api_key_required),
            }
    return summary


METHOD_KEYS = {"ANY": "x-amazon-apigateway-any-method"}


def export_document(api) -> dict:
    """The API as it is now, as GetExport oas30 with every API Gateway extension writes it."""
    import copy

    authorizers = {a.id: a for a in api.authorizers.values()}
    paths: dict = {}
    for resource in api.resources.values():
        for method_type, method in resource.resource_methods.items():
            operation: dict = {"responses": {code: {"description": f"{code} response"} for code in method.method_responses}}
            if method.request_parameters:
                operation["parameters"] = [
                    {"name": name.split(".")[-1], "in": {"path": "path", "querystring": "query", "header": "header"}[name.split(".")[2]], "required": bool(required)}
                    for name, required in method.request_parameters.items()
                    if len(name.split(".")) == 4
                ]
            if method.authorization_type == "COGNITO_USER_POOLS" and method.authorizer_id in authorizers:
                operation["security"] = [{authorizers[method.authorizer_id].name: list(method.authorization_scopes or [])}]
            integration = method.method_integration
            if integration is not None:
                spec = {
                    "type": (integration.integration_type or "").lower(),
                    **({"uri": integration.uri} if integration.uri else {}),
                    **({"httpMethod": integration.http_method} if integration.http_method else {}),
                    **({"requestTemplates": integration.request_templates} if integration.request_templates else {}),
                    **({"requestParameters": integration.request_parameters} if integration.request_parameters else {}),
                    **({"passthroughBehavior": integration.passthrough_behaviour} if integration.passthrough_behaviour else {}),
                    "responses": {
                        (r.selection_pattern or "default"): {
                            "statusCode": str(r.status_code),
                            **({"responseTemplates": r.response_templates} if r.response_templates else {}),
                            **({"responseParameters": r.response_parameters} if r.response_parameters else {}),
                        }
                        for r in (integration.integration_responses or {}).values()
                    },
                }
                operation["x-amazon-apigateway-integration"] = spec
            paths.setdefault(resource.get_path(), {})[METHOD_KEYS.get(method_type, method_type.lower())] = operation
    schemes = {
        a.name: {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "x-amazon-apigateway-authtype": a.auth_type or "cognito_user_pools",
            "x-amazon-apigateway-authorizer": {"type": (a.type or "").lower(), "providerARNs": list(a.provider_arns or [])},
        }
        for a in authorizers.values()
    }
    document = {
        "openapi": "3.0.1",
        "info": {"title": api.name, "version": "1"},
        "paths": paths,
        "components": {"securitySchemes": schemes},
        "x-amazon-apigateway-gateway-responses": {
            t: {
                "statusCode": str(r.status_code),
                **({"responseParameters": r.response_parameters} if r.response_parameters else {}),
                **({"responseTemplates": r.response_templates} if r.response_templates else {}),
            }
            for t, r in api.gateway_responses.items()
        },
    }
    if api.policy:
        document["x-amazon-apigateway-policy"] = json.loads(api.policy) if isinstance(api.policy, str) else api.policy
    return copy.deepcopy(document)


def without_extensions(document: dict, extensions: set) -> dict:
    """The export with only the extensions asked for (`integrations`, `authorizers`, `apigateway`: all)."""
    import copy

    document = copy.deepcopy(document)
    everything = "apigateway" in extensions
    if not everything:
        document.pop("x-amazon-apigateway-gateway-responses", None)
        document.pop("x-amazon-apigateway-policy", None)
    for item in document["paths"].values():
        for operation in item.values():
            if not (everything or "integrations" in extensions):
                operation.pop("x-amazon-apigateway-integration", None)
            if not (everything or "authorizers" in extensions):
                operation.pop("security", None)
    if not (everything or "authorizers" in extensions):
        document["components"]["securitySchemes"] = {}
    return document



def apply() -> None:
    from moto.apigateway.exceptions import DeploymentNotFoundException
    from moto.apigateway.models import APIGatewayBackend
    from moto.apigateway.responses import APIGatewayResponse

    original_create = APIGatewayBackend.create_deployment

    def create_deployment(self, function_id, name, description="", stage_variables=None):
        api = self.get_rest_api(function_id)
        taken = api_summary(api)  # before moto's own checks and stage handling: the API as it is now
        deployment = original_create(self, function_id, name, description, stage_variables)
        deployment.api_summary = taken
        deployment.export = export_document(api)
        return deployment

    def get_deployment(self):
        parts = self.path.split("/")
        api = self.backend.get_rest_api(parts[2])
        deployment = api.deployments.get(parts[4])
        if deployment is None:  # moto answers HTTP 500 (KeyError); AWS: 404 NotFoundException
            raise DeploymentNotFoundException()
        body = deployment.to_json()
        if "apisummary" in [e.lower() for e in self.querystring.get("embed", [])]:
            body["apiSummary"] = getattr(deployment, "api_summary", {})
        return json.dumps(body)

    def get_export(self):
        parts = self.path.split("/")
        api_id, stage_name, export_type = parts[2], parts[4], parts[6]
        if export_type != "oas30":
            return original_get_export(self)
        stage = self.backend.get_stage(api_id, stage_name)  # 404 NotFoundException for an unknown stage
        deployment = self.backend.get_rest_api(api_id).deployments.get(stage.deployment_id)
        document = getattr(deployment, "export", None) or {"openapi": "3.0.1", "info": {"title": "", "version": "1"}, "paths": {}, "components": {"securitySchemes": {}}}
        extensions = {e.strip().lower() for value in self.querystring.get("extensions", []) for e in value.split(",")}
        headers = {"Content-Type": "application/json", "Content-Disposition": f'attachment; filename="{api_id}-{stage_name}-oas30.json"'}
        return 200, headers, json.dumps(without_extensions(document, extensions)).encode()

    original_get_export = APIGatewayResponse.get_export
    APIGatewayBackend.create_deployment = create_deployment
    APIGatewayResponse.get_export = get_export
    APIGatewayResponse.get_deployment = get_deployment
