"""API Gateway: private custom domain names, their access associations and base path mappings.

moto 5.2.1 knows only public custom domain names: a PRIVATE one gets no
`domainNameId`, `domainNameArn` or `policy`, every call that names it by
`domainNameId` ignores the id, and domain name access associations do not exist
(CreateDomainNameAccessAssociation answers 404). So `aws_api_gateway_domain_name`
(private), `aws_api_gateway_domain_name_access_association` and
`aws_api_gateway_base_path_mapping` with `domain_name_id` cannot be applied.

What AWS does, kept here
(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-private-custom-domains.html and
the API reference of each call):
- CreateDomainName with endpoint type PRIVATE needs a certificate ARN and
  answers a `domainNameId` and `domainNameArn`
  `arn:aws:apigateway:<region>:<account>:/domainnames/<name>+<id>`; every later
  call names the domain by name AND `domainNameId` (without it: 404 "Invalid
  domain name identifier specified"). Its policy is stored as given; without one,
  "API Gateway provisions a domain name with a deny all resource policy".
  Private domain names are dualstack and always use the TLS 1.2 security policy.
- UpdateDomainName replaces `/policy`, `/certificateArn`, `/securityPolicy`;
  DeleteDomainName removes its base path mappings too.
- A base path mapping of a private domain name maps one level (`orders`, not
  `orders/v2`: "Multi-level base path mapping ... isn't supported") to a stage
  of a PRIVATE REST API ("You can't send traffic from a private custom domain
  name to a public API"); a base path maps once (409 ConflictException).
- CreateDomainNameAccessAssociation (source type VPCE) answers the association's
  ARN `arn:aws:apigateway:<region>:<account>:/domainnameaccessassociations/domainname/<name>+<id>/vpcesource/<vpce>`;
  an unknown domain name ARN is 404, a second association of the same endpoint
  409. GetDomainNameAccessAssociations lists the account's own
  (resourceOwner SELF); DeleteDomainNameAccessAssociation takes the ARN.
- GetTags / TagResource / UntagResource on these ARNs.
Not modelled: the ~15 minutes AWS takes to provision a private domain name or
an association (both are usable at once here), AWS RAM sharing, routing rules.
"""
import json
import time
from urllib.parse import unquote


def not_found(message: str):
    from moto.apigateway.exceptions import NotFoundException

    error = NotFoundException(message)
    error.code = 404
    return error


def bad_request(message: str):
    from moto.apigateway.exceptions import BadRequestException

    return BadRequestException(message)


def conflict(message: str):
    from moto.apigateway.exceptions import ConflictException

    return ConflictException(message)


DENY_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]}
)


class PrivateDomainName:
    def __init__(self, backend, params: dict):
        from moto.apigateway.utils import create_id

        self.name = params["domainName"]
        self.id = create_id()
        self.arn = f"arn:aws:apigateway:{backend.region_name}:{backend.account_id}:/domainnames/{self.name}+{self.id}"
        self.certificate_arn = params.get("certificateArn")
        self.certificate_upload_date = int(time.time())
        self.policy = params.get("policy") or DENY_ALL
        self.tags = dict(params.get("tags") or {})
        self.mappings = {}  # base path -> {"basePath", "restApiId", "stage"}

    def to_json(self) -> dict:
        return {
            "domainName": self.name,
            "domainNameId": self.id,
            "domainNameArn": self.arn,
            "certificateArn": self.certificate_arn,
            "certificateUploadDate": self.certificate_upload_date,
            "endpointConfiguration": {"types": ["PRIVATE"], "ipAddressType": "dualstack"},
            "domainNameStatus": "AVAILABLE",
            "securityPolicy": "TLS_1_2",
            "policy": self.policy,
            "routingMode": "BASE_PATH_MAPPING_ONLY",
            "tags": self.tags,
        }


def apply() -> None:
    from moto.apigateway import urls
    from moto.apigateway.models import APIGatewayBackend
    from moto.apigateway.responses import APIGatewayResponse

    original_init = APIGatewayBackend.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.private_domain_names = {}  # domainNameId -> PrivateDomainName
        self.access_associations = {}  # ARN -> dict

    APIGatewayBackend.__init__ = init

    def query(response, name: str):
        values = response.querystring.get(name) or []
        return values[0] if values else None

    def private_domain(response, name: str):
        """The private domain named by the path and `domainNameId`; None when the request names no id."""
        domain_id = query(response, "domainNameId")
        if domain_id is None:
            if name not in response.backend.domain_names and any(d.name == name for d in response.backend.private_domain_names.values()):
                raise not_found("Invalid domain name identifier specified")
            return None
        domain = response.backend.private_domain_names.get(domain_id)
        if domain is None or domain.name != name:
            raise not_found("Invalid domain name identifier specified")
        return domain

    def path_part(response, index: int) -> str:
        return unquote(response.path.split("/")[index])

    # --- domain names ----------------------------------------------------------------------------------------
    originals = {n: getattr(APIGatewayResponse, n) for n in (
        "create_domain_name", "get_domain_name", "get_domain_names", "delete_domain_name",
        "create_base_path_mapping", "get_base_path_mapping", "get_base_path_mappings",
        "update_base_path_mapping", "delete_base_path_mapping",
    )}

    def create_domain_name(self):
        params = json.loads(self.body or "{}")
        types = (params.get("endpointConfiguration") or {}).get("types") or []
        if "PRIVATE" not in types:
            return originals["create_domain_name"](self)
        if not params.get("domainName"):
            raise bad_request("No Domain Name specified")
        if not params.get("certificateArn"):
            raise bad_request("A certificate ARN is required for a private custom domain name")
        domain = PrivateDomainName(self.backend, params)
        self.backend.private_domain_names[domain.id] = domain
        return 201, {"status": 201}, json.dumps(domain.to_json())

    def get_domain_name(self):
        domain = private_domain(self, path_part(self, 2))
        if domain is None:
            return originals["get_domain_name"](self)
        return json.dumps(domain.to_json())

    def get_domain_names(self):
        public = json.loads(originals["get_domain_names"](self))["item"]
        return json.dumps({"item": public + [d.to_json() for d in self.backend.private_domain_names.values()]})

    def update_domain_name(self):
        domain = private_domain(self, path_part(self, 2))
        if domain is None:
            raise bad_request("UpdateDomainName is implemented for private custom domain names only (emulator)")
        for operation in self._get_param("patchOperations") or []:
            path, value = operation.get("path"), operation.get("value")
            if operation.get("op") != "replace":
                raise bad_request(f"Invalid patch operation specified. Must be 'replace' for path {path}")
            if path == "/policy":
                domain.policy = value or DENY_ALL
            elif path == "/certificateArn":
                domain.certificate_arn = value
                domain.certificate_upload_date = int(time.time())
            elif path == "/securityPolicy":
                if value not in ("TLS_1_2", "TLS-1-2"):
                    raise bad_request("All private custom domain names have the security policy TLS_1_2")
            else:
                raise bad_request(f"Invalid patch path '{path}' specified for op 'replace'.")
        return json.dumps(domain.to_json())

    def delete_domain_name(self):
        domain = private_domain(self, path_part(self, 2))
        if domain is None:
            return originals["delete_domain_name"](self)
        del self.backend.private_domain_names[domain.id]
        return 202, {"status": 202}, "{}"

    # --- base path mappings ----------------------------------------------------------------------------------
    def mapping_json(mapping: dict) -> dict:
        return {"basePath": mapping["basePath"], "restApiId": mapping["restApiId"], "stage": mapping["stage"]}

    def find_mapping(domain, base_path: str) -> dict:
        mapping = domain.mappings.get(base_path)
        if mapping is None:
            raise not_found("Invalid base path mapping identifier specified")
        return mapping

    def create_base_path_mapping(self):
        domain = private_domain(self, path_part(self, 2))
        if domain is None:
            return originals["create_base_path_mapping"](self)
        params = json.loads(self.body or "{}")
        base_path = params.get("basePath") or "(none)"
        if "/" in base_path:
            raise bad_request("Multi-level base path mapping is not supported for private custom domain names")
        api = self.backend.apis.get(params.get("restApiId") or "")
        if api is None:
            raise bad_request("Invalid REST API identifier specified")
        if "PRIVATE" not in (api.endpoint_configuration or {}).get("types", []):
            raise bad_request("A private custom domain name can only be mapped to a PRIVATE REST API")
        stage = params.get("stage") or None
        if stage and stage not in api.stages:
            raise bad_request("Invalid stage identifier specified")
        if base_path in domain.mappings:
            raise conflict("Base path already exists for this domain name")
        domain.mappings[base_path] = {"basePath": base_path, "restApiId": api.id, "stage": stage}
        return 201, {"status": 201}, json.dumps(mapping_json(domain.mappings[base_path]))

    def get_base_path_mapping(self):
        domain = private_domain(self, path_part(self, 2))
        if domain is None:
            return originals["get_base_path_mapping"](self)
        return json.dumps(mapping_json(find_mapping(domain, path_part(self, 4))))

    def get_base_path_mappings(self):
        domain = private_domain(self, path_part(self, 2))
        if domain is None:
            return originals["get_base_path_mappings"](self)
        return json.dumps({"item": [mapping_json(m) for m in domain.mappings.values()]})

    def update_base_path_mapping(self):
        domain = private_domain(self, path_part(self, 2))
        if domain is None:
            return originals["update_base_path_mapping"](self)
        mapping = find_mapping(domain, path_part(self, 4))
        for operation in self._get_param("patchOperations") or []:
            path, value = operation.get("path"), operation.get("value")
            if path == "/stage":
                mapping["stage"] = value
            elif path == "/restapiId":
                mapping["restApiId"] = value
            elif path == "/basePath":
                del domain.mappings[mapping["basePath"]]
                mapping["basePath"] = value or "(none)"
                domain.mappings[mapping["basePath"]] = mapping
            else:
                raise bad_request(f"Invalid patch path '{path}' specified for op '{operation.get('op')}'.")
        return json.dumps(mapping_json(mapping))

    def delete_base_path_mapping(self):
        domain = private_domain(self, path_part(self, 2))
        if domain is None:
            return originals["delete_base_path_mapping"](self)
        mapping = find_mapping(domain, path_part(self, 4))
        del domain.mappings[mapping["basePath"]]
        return 202, {"status": 202}, ""

    # --- access associations ---------------------------------------------------------------------------------
    def create_domain_name_access_association(self):
        params = json.loads(self.body or "{}")
        if params.get("accessAssociationSourceType") != "VPCE":
            raise bad_request("accessAssociationSourceType must be VPCE")
        source = params.get("accessAssociationSource") or ""
        if not source.startswith("vpce-"):
            raise bad_request(f"Invalid VPC endpoint identifier {source}")
        domain = next((d for d in self.backend.private_domain_names.values() if d.arn == params.get("domainNameArn")), None)
        if domain is None:
            raise not_found("Invalid domain name identifier specified")
        arn = (
            f"arn:aws:apigateway:{self.backend.region_name}:{self.backend.account_id}:/domainnameaccessassociations"
            f"/domainname/{domain.name}+{domain.id}/vpcesource/{source}"
        )
        if arn in self.backend.access_associations:
            raise conflict("The VPC endpoint is already associated with this domain name")
        association = {
            "domainNameAccessAssociationArn": arn,
            "domainNameArn": domain.arn,
            "accessAssociationSourceType": "VPCE",
            "accessAssociationSource": source,
            "tags": dict(params.get("tags") or {}),
        }
        self.backend.access_associations[arn] = association
        return 201, {"status": 201}, json.dumps(association)

    def get_domain_name_access_associations(self):
        owner = query(self, "resourceOwner") or "SELF"
        items = list(self.backend.access_associations.values()) if owner == "SELF" else []
        return json.dumps({"item": items})

    def delete_domain_name_access_association(self):
        arn = unquote(self.path.split("/domainnameaccessassociations/", 1)[1])
        if self.backend.access_associations.pop(arn, None) is None:
            raise not_found("Invalid domain name access association identifier specified")
        return 202, {"status": 202}, ""

    # --- tags on these ARNs ----------------------------------------------------------------------------------
    def tagged(backend, arn: str):
        for domain in backend.private_domain_names.values():
            if domain.arn == arn:
                return domain.tags
        association = backend.access_associations.get(arn)
        return association["tags"] if association else None

    original_tag, original_untag = APIGatewayResponse.tag_resource, APIGatewayResponse.untag_resource

    def get_tags(self):
        arn = unquote(self.path.split("/tags/", 1)[1])
        tags = tagged(self.backend, arn)
        if tags is None:
            raise not_found("Invalid resource identifier specified")
        return json.dumps({"tags": tags})

    def tag_resource(self):
        arn = unquote(self.path.split("/tags/", 1)[1])
        tags = tagged(self.backend, arn)
        if tags is None:
            return original_tag(self)
        tags.update(self._get_param("tags") or {})
        return 204, {"status": 204}, ""

    def untag_resource(self):
        arn = unquote(self.path.split("/tags/", 1)[1])
        tags = tagged(self.backend, arn)
        if tags is None:
            return original_untag(self)
        for key in self.querystring.get("tagKeys") or []:
            tags.pop(key, None)
        return 204, {"status": 204}, ""

    for handler in (
        create_domain_name, get_domain_name, get_domain_names, update_domain_name, delete_domain_name,
        create_base_path_mapping, get_base_path_mapping, get_base_path_mappings, update_base_path_mapping,
        delete_base_path_mapping, create_domain_name_access_association, get_domain_name_access_associations,
        delete_domain_name_access_association, get_tags, tag_resource, untag_resource,
    ):
        setattr(APIGatewayResponse, handler.__name__, handler)

    urls.url_paths.update(
        {
            "{0}/domainnameaccessassociations$": APIGatewayResponse.dispatch,
            "{0}/domainnameaccessassociations/(?P<arn>.+)$": APIGatewayResponse.dispatch,
            "{0}/tags/(?P<resourceArn>.+)$": APIGatewayResponse.dispatch,
        }
    )
