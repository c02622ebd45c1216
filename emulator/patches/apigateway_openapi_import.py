"""API Gateway: PutRestApi and ImportRestApi keep what an OpenAPI 3 document defines.

moto 5.2.1 imports only paths, bare methods, method response codes and the
integration: it drops the Cognito authorizer (`x-amazon-apigateway-authorizer`),
each operation's security requirement (authorization type, authorizer, scopes),
request parameters, gateway responses, the policy and the endpoint ids; it puts
the methods of path `/` on a new child resource with an empty path part instead
of the root; and in `overwrite` mode it replaces the root resource (new id).
Then nothing deployed from a document can be read back and checked.

What AWS does, kept here:
- `overwrite`: "items from an existing API that are not specifically defined in
  the imported definition will be deleted"; "any API configuration not
  explicitly included in the imported body will be reset to its default value.
  This includes settings like security policies, authorization configurations,
  and other API-level properties"; `merge`: they "are left alone"
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api-update.html).
  So in overwrite mode: name and description from `info`, the resource policy
  (`x-amazon-apigateway-policy`), API key source, binary media types, minimum
  compression size; authorizers, gateway responses, request validators and
  models. (The AWS provider 5.x sets the configured name, description and
  policy again right after the import.)
- The same page: an import updates an API "without changing its endpoint
  configuration, as well as stages and stage variables": PutRestApi leaves the
  endpoint type and its VPC endpoint ids as they are, in both modes. Only
  ImportRestApi, which creates the API, takes the VPC endpoint ids from
  `x-amazon-apigateway-endpoint-configuration` of the server object
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-endpoint-configuration.html).
- An import that fails changes nothing ("the new API definition is discarded
  and no change is made to the existing API",
  https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api-errors-warnings.html):
  the whole document is checked before anything is changed.
- One variable path part per level: a second variable name under the same parent
  is refused ("A sibling ({id}) of this resource already has a variable path
  part -- only one is allowed").
- The root resource `/` keeps its id; `/` in `paths` is the root.
- Security requirements name a security scheme; a scheme with
  `x-amazon-apigateway-authtype: cognito_user_pools` and an
  `x-amazon-apigateway-authorizer` is a COGNITO_USER_POOLS authorizer, whose
  requirement's scopes become the method's authorization scopes
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html);
  an `apiKey` scheme named x-api-key without authorizer requires an API key;
  `awsSigv4` is AWS_IAM. No requirement: authorization NONE. (A requirement
  naming no scheme of the document is skipped here: what AWS answers to it is
  not documented.)
- Gateway responses: `x-amazon-apigateway-gateway-responses`
  (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.html).
Not modelled: Swagger 2.0 documents, warnings (`failOnWarnings`), `basePath`
handling of the `servers` URL, model schema validation.
"""
import copy
import json

INTEGRATION_FIELDS = {
    # document key -> keyword of moto's Resource.add_integration
    "uri": "uri",
    "requestTemplates": "request_templates",
    "requestParameters": "request_parameters",
    "timeoutInMillis": "timeout_in_millis",
    "contentHandling": "content_handling",
    "credentials": "credentials",
    "connectionType": "connection_type",
    "cacheNamespace": "cache_namespace",
    "tlsConfig": "tls_config",
}
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "x-amazon-apigateway-any-method"}


def bad_request(message: str):
    from moto.apigateway.exceptions import BadRequestException

    return BadRequestException(message)


def is_variable(part: str) -> bool:
    return part.startswith("{") and part.endswith("}")


def plan_resources(paths, kept=()) -> list:
    """Every path of the document (and `kept`, what a merge leaves) with its parents, parents first; refuses two
    variable names at one level."""
    wanted = {"/"} | set(kept)
    for path in paths:
        if not isinstance(path, str) or not path.startswith("/"):
            raise bad_request(f"Invalid path '{path}': paths must start with '/'")
        parts = [p for p in path.split("/") if p]
        for i in range(1, len(parts) + 1):
            wanted.add("/" + "/".join(parts[:i]))
    variables = {}
    # What exists stays as it is: a new path is the one refused.
    for path in sorted(set(kept)) + sorted(wanted - set(kept)):
        if path == "/":
            continue
        parent, _, part = path.rpartition("/")
        parent = parent or "/"
        if is_variable(part):
            other = variables.setdefault(parent, part)
            if other != part:
                raise bad_request(
                    f"Errors found during import:\n\tUnable to create resource at path '{path}': "
                    f"A sibling ({other}) of this resource already has a variable path part -- only one is allowed"
                )
    return sorted(wanted, key=lambda p: (p.count("/") if p != "/" else 0, p))


def security_schemes(document: dict) -> dict:
    return (document.get("components") or {}).get("securitySchemes") or document.get("securityDefinitions") or {}


def method_authorization(operation: dict, document: dict, schemes: dict, authorizer_ids: dict) -> dict:
    requirements = operation.get("security", document.get("security")) or []
    for requirement in requirements:
        for scheme_name, scopes in (requirement or {}).items():
            scheme = schemes.get(scheme_name)
            if scheme is None:
                continue
            auth_type = str(scheme.get("x-amazon-apigateway-authtype", "")).lower()
            if scheme_name in authorizer_ids:
                kind = "COGNITO_USER_POOLS" if auth_type == "cognito_user_pools" else "CUSTOM"
                result = {"authorization_type": kind, "authorizer_id": authorizer_ids[scheme_name]}
                if kind == "COGNITO_USER_POOLS" and scopes:
                    result["authorization_scopes"] = list(scopes)
                return result
            if auth_type == "awssigv4":
                return {"authorization_type": "AWS_IAM"}
            if scheme.get("type") == "apiKey" and str(scheme.get("name", "")).lower() == "x-api-key":
                return {"authorization_type": "NONE", "api_key_required": True}
    return {"authorization_type": "NONE"}


def request_parameters(operation: dict, path_item: dict) -> dict:
    places = {"path": "path", "query": "querystring", "header": "header"}
    parameters = {}
    for parameter in list(path_item.get("parameters") or []) + list(operation.get("parameters") or []):
        place = places.get((parameter or {}).get("in"))
        if place and parameter.get("name"):
            parameters[f"method.request.{place}.{parameter['name']}"] = bool(parameter.get("required", place == "path"))
    return parameters


def document_endpoint_ids(document: dict):
    """The VPC endpoint ids of the server object's `x-amazon-apigateway-endpoint-configuration`, None without."""
    for server in document.get("servers") or []:
        extension = (server or {}).get("x-amazon-apigateway-endpoint-configuration") or {}
        if "vpcEndpointIds" in extension:
            return list(extension["vpcEndpointIds"])
    return None


def check(document: dict, kept=()) -> None:
    """What AWS refuses before it changes anything; `kept`: the paths a merge keeps."""
    if not isinstance(document, dict):
        raise bad_request("Invalid OpenAPI input: the definition is not a JSON or YAML object")
    if document.get("swagger") is not None or str(document.get("openapi", "3"))[0] != "3":
        from moto.apigateway.exceptions import InvalidOpenApiDocVersionException

        raise InvalidOpenApiDocVersionException()
    paths = document.get("paths")
    if not isinstance(paths, dict):
        raise bad_request("Invalid OpenAPI input: 'paths' is missing")
    plan_resources(paths, kept)


def import_document(backend, api, document: dict, mode: str) -> None:
    from moto.apigateway.models import GatewayResponse

    overwrite = mode == "overwrite"
    info = document.get("info") or {}
    if overwrite or "title" in info:
        api.name = info.get("title") or api.name
    if overwrite or "description" in info:
        api.description = info.get("description") or ""
    policy = document.get("x-amazon-apigateway-policy")
    if overwrite or policy is not None:
        api.policy = json.dumps(policy) if isinstance(policy, (dict, list)) else policy
    if overwrite or "x-amazon-apigateway-api-key-source" in document:
        api.api_key_source = document.get("x-amazon-apigateway-api-key-source") or "HEADER"
    if overwrite or "x-amazon-apigateway-binary-media-types" in document:
        api.binaryMediaTypes = list(document.get("x-amazon-apigateway-binary-media-types") or [])
    if overwrite or "x-amazon-apigateway-minimum-compression-size" in document:
        api.minimum_compression_size = document.get("x-amazon-apigateway-minimum-compression-size")

    # Authorizers: one per security scheme with an x-amazon-apigateway-authorizer. An authorizer of the same name keeps its id.
    existing = {a.name: a for a in api.authorizers.values()}
    authorizer_ids = {}
    if overwrite:
        api.authorizers = {}
    for name, scheme in security_schemes(document).items():
        definition = (scheme or {}).get("x-amazon-apigateway-authorizer")
        if not definition:
            continue
        kind = str(definition.get("type", "")).upper()
        authorizer_type = "COGNITO_USER_POOLS" if kind == "COGNITO_USER_POOLS" else kind
        previous = existing.get(name)
        authorizer_id = previous.id if previous else None
        for stale in [a for a in api.authorizers.values() if a.name == name]:
            api.authorizers.pop(stale.id, None)
        header = scheme.get("name") if scheme.get("in") == "header" else None
        authorizer = api.create_authorizer(
            authorizer_id=authorizer_id or backend_authorizer_id(),
            name=name,
            authorizer_type=authorizer_type,
            provider_arns=definition.get("providerARNs"),
            auth_type=scheme.get("x-amazon-apigateway-authtype"),
            authorizer_uri=definition.get("authorizerUri"),
            authorizer_credentials=definition.get("authorizerCredentials"),
            identity_source=definition.get("identitySource") or (f"method.request.header.{header}" if header else None),
            identiy_validation_expression=definition.get("identityValidationExpression"),
            authorizer_result_ttl=definition.get("authorizerResultTtlInSeconds", 300),
        )
        authorizer_ids[name] = authorizer.id
    for authorizer in api.authorizers.values():
        authorizer_ids.setdefault(authorizer.name, authorizer.id)

    # Request validators: `x-amazon-apigateway-request-validators`, and the API-wide default validator.
    validator_ids = {}
    if overwrite:
        api.request_validators = {}
    for name, validator in (document.get("x-amazon-apigateway-request-validators") or {}).items():
        created = api.create_request_validator(
            name=name,
            validateRequestBody=bool(validator.get("validateRequestBody")),
            validateRequestParameters=bool(validator.get("validateRequestParameters")),
        )
        validator_ids[name] = created.id
    default_validator = document.get("x-amazon-apigateway-request-validator")

    # Gateway responses.
    if overwrite:
        api.gateway_responses = {}
    for response_type, response in (document.get("x-amazon-apigateway-gateway-responses") or {}).items():
        api.gateway_responses[response_type] = GatewayResponse(
            response_type=response_type,
            status_code=response.get("statusCode"),
            response_parameters=response.get("responseParameters"),
            response_templates=response.get("responseTemplates"),
        )

    # Models: components.schemas.
    if overwrite:
        api.models = {}
    for name, schema in ((document.get("components") or {}).get("schemas") or {}).items():
        api.add_model(name=name, description="", schema=json.dumps(schema), content_type="application/json")

    # Resources: the root keeps its id; overwrite removes every other resource first.
    root = next(r for r in api.resources.values() if r.parent_id is None)
    if overwrite:
        api.resources = {root.id: root}
        root.resource_methods = {}
    by_path = {r.get_path(): r for r in api.resources.values()}
    schemes = security_schemes(document)
    for path in plan_resources(document["paths"]):
        if path in by_path:
            continue
        parent_path, _, part = path.rpartition("/")
        parent = by_path[parent_path or "/"]
        by_path[path] = api.add_child(path=part, parent_id=parent.id)
    for path, item in document["paths"].items():
        resource = by_path[path if path == "/" else path.rstrip("/")]
        item = item or {}
        for key, operation in item.items():
            if key.lower() not in METHODS:
                continue
            operation = operation or {}
            method_type = "ANY" if key.lower() == "x-amazon-apigateway-any-method" else key.upper()
            validator = operation.get("x-amazon-apigateway-request-validator", default_validator)
            authorization = method_authorization(operation, document, schemes, authorizer_ids)
            method = resource.add_method(
                method_type,
                authorization_type=authorization["authorization_type"],
                api_key_required=authorization.get("api_key_required", False),
                request_parameters=request_parameters(operation, item) or None,
                operation_name=operation.get("operationId"),
                authorizer_id=authorization.get("authorizer_id"),
                authorization_scopes=authorization.get("authorization_scopes"),
                request_validator_id=validator_ids.get(validator) if validator else None,
            )
            for code, response in (operation.get("responses") or {}).items():
                if code == "default":
                    continue
                headers = (response or {}).get("headers") or {}
                method.create_response(
                    str(code),
                    response_models=None,
                    response_parameters={f"method.response.header.{h}": False for h in headers} or None,
                )
            spec = operation.get("x-amazon-apigateway-integration")
            if spec:
                integration_type = str(spec.get("type", "")).upper()
                integration = resource.add_integration(
                    method_type,
                    integration_type,
                    spec.get("uri"),
                    integration_method=(spec.get("httpMethod") or method_type).upper(),
                    passthrough_behavior=str(spec.get("passthroughBehavior", "when_no_match")).upper(),
                    **{moto_key: copy.deepcopy(spec[key]) for key, moto_key in INTEGRATION_FIELDS.items() if key in spec and key != "uri"},
                )
                if integration_type == "MOCK":
                    integration.http_method = None
                integration.cache_key_parameters = list(spec.get("cacheKeyParameters") or [])
                for pattern, response in (spec.get("responses") or {}).items():
                    response = response or {}
                    created = integration.create_integration_response(
                        str(response.get("statusCode", "200")),
                        None if pattern == "default" else pattern,
                        response.get("responseTemplates"),
                        response.get("responseParameters"),
                        response.get("contentHandling"),
                    )
                    created.selection_pattern = None if pattern == "default" else pattern


def backend_authorizer_id() -> str:
    from moto.apigateway.utils import create_id

    return create_id()


def apply() -> None:
    from moto.apigateway.models import APIGatewayBackend, RestAPI

    def put_rest_api(self, function_id: str, api_doc: dict, fail_on_warnings: bool, mode: str = "merge") -> RestAPI:
        from moto.apigateway.exceptions import InvalidOpenApiModeException

        if mode not in ("merge", "overwrite"):
            raise InvalidOpenApiModeException()
        api = self.get_rest_api(function_id)
        check(api_doc, [r.get_path() for r in api.resources.values()] if mode == "merge" else ())
        import_document(self, api, api_doc, mode)
        return api

    def import_rest_api(self, api_doc: dict, fail_on_warnings: bool) -> RestAPI:
        check(api_doc)
        info = api_doc.get("info") or {}
        api = self.create_rest_api(name=info.get("title") or "", description=info.get("description") or "")
        endpoint_ids = document_endpoint_ids(api_doc)
        if endpoint_ids is not None:
            api.endpoint_configuration = {**(api.endpoint_configuration or {}), "vpcEndpointIds": endpoint_ids}
        import_document(self, api, api_doc, "overwrite")
        return api

    APIGatewayBackend.put_rest_api = put_rest_api
    APIGatewayBackend.import_rest_api = import_rest_api
