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
Only that summary is kept (`Deployment.api_summary`): nothing here serves
requests, so the rest of the snapshot would have no reader.
"""


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


def apply() -> None:
    import json

    from moto.apigateway.exceptions import DeploymentNotFoundException
    from moto.apigateway.models import APIGatewayBackend
    from moto.apigateway.responses import APIGatewayResponse

    original_create = APIGatewayBackend.create_deployment

    def create_deployment(self, function_id, name, description="", stage_variables=None):
        api = self.get_rest_api(function_id)
        taken = api_summary(api)  # before moto's own checks and stage handling: the API as it is now
        deployment = original_create(self, function_id, name, description, stage_variables)
        deployment.api_summary = taken
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

    APIGatewayBackend.create_deployment = create_deployment
    APIGatewayResponse.get_deployment = get_deployment
