"""CloudFront VPC origins: CreateVpcOrigin, GetVpcOrigin, UpdateVpcOrigin,
DeleteVpcOrigin, ListVpcOrigins (REST-XML, /2020-05-31/vpc-origin).

moto 5.2.1 has no VPC origins: every call answers 404, so
`aws_cloudfront_vpc_origin` cannot be created. What AWS does, kept here:
- Create answers 202 with status `Deploying` and an ETag; the provider then
  polls GetVpcOrigin until `Deployed` (here: already on the first read).
- Update and Delete need `If-Match` with the current ETag: missing ->
  InvalidIfMatchVersion (400), stale -> PreconditionFailed (412). Update
  answers `Deploying` and a new ETag; Delete answers `Deleting`, after which
  GetVpcOrigin is EntityNotFound (404), which ends the provider's delete wait.
- A VPC origin that a distribution still uses cannot be deleted
  (CannotDeleteEntityWhileInUse, 409).
- Tags given on create are readable with ListTagsForResource on its ARN
  (`arn:aws:cloudfront::<account>:vpcorigin/<id>`).
Not modelled: whether the endpoint ARN names a real internal load balancer,
and the CloudFront-managed security group AWS adds to the VPC.
"""
import copy

from . import cloudfront_common as common


def apply() -> None:
    from moto.cloudfront.models import CloudFrontBackend, random_id
    from moto.cloudfront.responses import CloudFrontResponse
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow

    class VpcOrigin:
        def __init__(self, account_id: str, endpoint_config: dict):
            self.id = "vo_" + random_id(length=22)
            self.arn = f"arn:aws:cloudfront::{account_id}:vpcorigin/{self.id}"
            self.account_id = account_id
            self.status = "Deploying"
            self.created_time = self.last_modified_time = utcnow()
            self.endpoint_config = normalise(endpoint_config)
            self.etag = random_id()

        def to_dict(self) -> dict:
            return {
                "Id": self.id,
                "Arn": self.arn,
                "AccountId": self.account_id,
                "Status": self.status,
                "CreatedTime": self.created_time,
                "LastModifiedTime": self.last_modified_time,
                "VpcOriginEndpointConfig": copy.deepcopy(self.endpoint_config),
            }

    def normalise(config: dict) -> dict:
        config = copy.deepcopy(config or {})
        protocols = (config.get("OriginSslProtocols") or {}).get("Items") or []
        config["OriginSslProtocols"] = {"Quantity": len(protocols), "Items": protocols}
        return config

    def find(backend, origin_id: str) -> "VpcOrigin":
        origin = backend.vpc_origins.get(origin_id)
        if origin is None:
            raise common.error("EntityNotFound", f"The VPC origin {origin_id} does not exist.")
        return origin

    def check_if_match(origin: "VpcOrigin", if_match) -> None:
        if not if_match:
            raise common.error("InvalidIfMatchVersion", "The If-Match version is missing or not valid for the resource.")
        if if_match != origin.etag:
            raise common.error("PreconditionFailed", "The If-Match version does not match the current version of the resource.")

    def in_use(backend, origin_id: str) -> bool:
        for distribution in backend.distributions.values():
            for origin in distribution.distribution_config.Origins.get("Items") or []:
                if common.get(origin, "VpcOriginConfig", "VpcOriginId") == origin_id:
                    return True
        return False

    def create_vpc_origin(self):
        origin = VpcOrigin(self.current_account, self._get_param("VpcOriginEndpointConfig", {}))
        self.backend.vpc_origins[origin.id] = origin
        self.backend.tagger.tag_resource(origin.arn, self._get_param("Tags.Items", []) or [])
        return ActionResult({"VpcOrigin": origin.to_dict(), "Location": f"https://cloudfront.amazonaws.com/2020-05-31/vpc-origin/{origin.id}", "ETag": origin.etag})

    def get_vpc_origin(self):
        origin = find(self.backend, self._get_param("Id"))
        origin.status = "Deployed"  # AWS takes minutes after Create/Update; nothing here needs to wait
        return ActionResult({"VpcOrigin": origin.to_dict(), "ETag": origin.etag})

    def update_vpc_origin(self):
        origin = find(self.backend, self._get_param("Id"))
        check_if_match(origin, self._get_param("IfMatch"))
        origin.endpoint_config = normalise(self._get_param("VpcOriginEndpointConfig", {}))
        origin.status = "Deploying"
        origin.last_modified_time = utcnow()
        origin.etag = random_id()
        return ActionResult({"VpcOrigin": origin.to_dict(), "ETag": origin.etag})

    def delete_vpc_origin(self):
        origin = find(self.backend, self._get_param("Id"))
        check_if_match(origin, self._get_param("IfMatch"))
        if in_use(self.backend, origin.id):
            raise common.error("CannotDeleteEntityWhileInUse", f"The VPC origin {origin.id} is in use by a distribution.")
        del self.backend.vpc_origins[origin.id]
        self.backend.tagger.delete_all_tags_for_resource(origin.arn)
        origin.status = "Deleting"
        return ActionResult({"VpcOrigin": origin.to_dict(), "ETag": origin.etag})

    def list_vpc_origins(self):
        items = [
            {
                "Id": o.id,
                "Name": o.endpoint_config.get("Name"),
                "Status": o.status,
                "CreatedTime": o.created_time,
                "LastModifiedTime": o.last_modified_time,
                "Arn": o.arn,
                "AccountId": o.account_id,
                "OriginEndpointArn": o.endpoint_config.get("Arn"),
            }
            for o in self.backend.vpc_origins.values()
        ]
        return ActionResult({"VpcOriginList": {"Marker": "", "MaxItems": 100, "IsTruncated": False, "Quantity": len(items), "Items": items or None}})

    common.add_state(CloudFrontBackend, "vpc_origins", dict)
    common.add_routes(
        {
            "{0}/2020-05-31/vpc-origin$": CloudFrontResponse.dispatch,
            "{0}/2020-05-31/vpc-origin/(?P<Id>[^/]+)$": CloudFrontResponse.dispatch,
        }
    )
    CloudFrontResponse.create_vpc_origin = create_vpc_origin
    CloudFrontResponse.get_vpc_origin = get_vpc_origin
    CloudFrontResponse.update_vpc_origin = update_vpc_origin
    CloudFrontResponse.delete_vpc_origin = delete_vpc_origin
    CloudFrontResponse.list_vpc_origins = list_vpc_origins
