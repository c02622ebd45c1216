"""API Gateway: UpdateMethod, UpdateMethodResponse, UpdateIntegration, UpdateIntegrationResponse.

moto 5.2.1 implements Put/Get/Delete for methods, method responses, integrations
and integration responses, but not their Update (PATCH) calls: they answer
HTTP 500 (not implemented), which the AWS SDK retries as a server error. The
AWS provider updates these resources in place, so on `local` changing a route's
scopes (`aws_api_gateway_method.authorization_scopes`), a request parameter, a
response header or a mapping template retried for ever: `npm start` hung.

AWS semantics kept here (PatchOperation, RFC 6902 paths with `~1` for `/`):
- scalar fields (`/authorizationType`, `/authorizerId`, `/uri`, ...): `replace`
  sets the value, `remove` clears it; `/apiKeyRequired` takes "true"/"false";
- lists (`/authorizationScopes`, `/cacheKeyParameters`): `add` appends the
  value (once), `remove` takes it out;
- maps (`/requestParameters/<name>`, `/requestModels/<type>`,
  `/responseParameters/<name>`, `/requestTemplates/<type>`, ...): `add` and
  `replace` set the entry, `remove` deletes it; method request and response
  parameters hold booleans ("true" = required), the others strings;
- a path the resource does not have answers BadRequestException, an unknown
  response status code NotFoundException, as AWS does.
Each call answers 200 with the updated resource.
"""
import json

# Wire name -> (attribute on moto's model, kind).
METHOD_FIELDS = {
    "authorizationType": ("authorization_type", "str"),
    "authorizerId": ("authorizer_id", "str"),
    "apiKeyRequired": ("api_key_required", "bool"),
    "operationName": ("operation_name", "str"),
    "requestValidatorId": ("request_validator_id", "str"),
    "authorizationScopes": ("authorization_scopes", "list"),
    "requestParameters": ("request_parameters", "bool_map"),
    "requestModels": ("request_models", "str_map"),
}
METHOD_RESPONSE_FIELDS = {
    "responseParameters": ("response_parameters", "bool_map"),
    "responseModels": ("response_models", "str_map"),
}
INTEGRATION_FIELDS = {
    "type": ("integration_type", "str"),
    "uri": ("uri", "str"),
    "httpMethod": ("http_method", "str"),
    "passthroughBehavior": ("passthrough_behaviour", "str"),  # moto's spelling
    "timeoutInMillis": ("timeout_in_millis", "int"),
    "contentHandling": ("content_handling", "str"),
    "credentials": ("credentials", "str"),
    "connectionType": ("connection_type", "str"),
    "cacheNamespace": ("cache_namespace", "str"),
    "cacheKeyParameters": ("cache_key_parameters", "list"),
    "requestParameters": ("request_parameters", "str_map"),
    "requestTemplates": ("request_templates", "str_map"),
}
INTEGRATION_RESPONSE_FIELDS = {
    "selectionPattern": ("selection_pattern", "str"),
    "contentHandling": ("content_handling", "str"),
    "responseParameters": ("response_parameters", "str_map"),
    "responseTemplates": ("response_templates", "str_map"),
}


def unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def convert(kind: str, value):
    if value is None:
        return None
    if kind in ("bool", "bool_map"):
        return str(value).lower() == "true"
    if kind == "int":
        return int(value)
    return value


def apply_operations(model, fields: dict, operations: list) -> None:
    """Applies PatchOperations to a moto model; raises BadRequestException for unknown paths."""
    from moto.apigateway.exceptions import BadRequestException, NoIntegrationResponseDefined

    if model is None:  # an unknown response status code: 404 "Invalid Response status code specified"
        raise NoIntegrationResponseDefined()
    for operation in operations or []:
        op = operation.get("op")
        segments = [unescape(s) for s in operation.get("path", "").split("/")[1:]]
        if not segments or segments[0] not in fields:
            raise BadRequestException(f"Invalid patch path '{operation.get('path')}' specified for op '{op}'.")
        attribute, kind = fields[segments[0]]
        value = operation.get("value")
        if kind.endswith("_map"):
            if len(segments) != 2:
                raise BadRequestException(f"Invalid patch path '{operation.get('path')}' specified for op '{op}'.")
            entries = dict(getattr(model, attribute) or {})
            if op == "remove":
                entries.pop(segments[1], None)
            else:
                entries[segments[1]] = convert(kind, value)
            setattr(model, attribute, entries)
        elif kind == "list":
            items = list(getattr(model, attribute) or [])
            if op == "add" and value not in items:
                items.append(value)
            elif op == "remove":
                items = [item for item in items if item != value] if value is not None else []
            elif op == "replace":
                items = [value] if value is not None else []
            setattr(model, attribute, items)
        else:
            setattr(model, attribute, None if op == "remove" else convert(kind, value))


def apply() -> None:
    from moto.apigateway.responses import APIGatewayResponse

    def update(fields: dict, lookup):
        """A PATCH handler: find the model by the path's ids, apply the operations, answer the model."""

        def handler(self):
            # /restapis/<api>/resources/<resource>/methods/<method>[/responses/<code>|/integration[/responses/<code>]]
            model = lookup(self.backend, self.path.split("/"))
            apply_operations(model, fields, self._get_param("patchOperations"))
            return 200, {}, json.dumps(model.to_json())

        return handler

    APIGatewayResponse.update_method = update(METHOD_FIELDS, lambda b, p: b.get_method(p[2], p[4], p[6]))
    APIGatewayResponse.update_method_response = update(METHOD_RESPONSE_FIELDS, lambda b, p: b.get_method_response(p[2], p[4], p[6], p[8]))
    APIGatewayResponse.update_integration = update(INTEGRATION_FIELDS, lambda b, p: b.get_integration(p[2], p[4], p[6]))
    APIGatewayResponse.update_integration_response = update(
        INTEGRATION_RESPONSE_FIELDS, lambda b, p: b.get_integration_response(p[2], p[4], p[6], p[9])
    )
