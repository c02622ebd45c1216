"""Cognito: UpdateResourceServer and DeleteResourceServer.

moto 5.2.1 implements Create/Describe/ListResourceServers only. The other two
answer HTTP 500 (NotImplementedError), which the AWS SDK retries as a server
error, so changing a scope retries for ever and `terraform destroy` of an
`aws_cognito_resource_server` hangs.

AWS semantics kept here:
- UpdateResourceServer replaces the name and the whole scope list (scopes left
  out are removed) and returns the resource server.
- DeleteResourceServer removes it; both answer ResourceNotFoundException for
  an unknown pool or identifier.
"""


def apply() -> None:
    from moto.cognitoidp.models import CognitoIdpBackend
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult, EmptyResult

    def update_resource_server(self, user_pool_id, identifier, name, scopes):
        resource_server = self.describe_resource_server(user_pool_id, identifier)
        resource_server.name = name
        resource_server.scopes = scopes or []
        return resource_server

    def delete_resource_server(self, user_pool_id, identifier):
        self.describe_resource_server(user_pool_id, identifier)  # raises ResourceNotFoundException
        del self.user_pools[user_pool_id].resource_servers[identifier]

    CognitoIdpBackend.update_resource_server = update_resource_server
    CognitoIdpBackend.delete_resource_server = delete_resource_server

    def update_resource_server_response(self):
        resource_server = self.backend.update_resource_server(
            self._get_param("UserPoolId"),
            self._get_param("Identifier"),
            self._get_param("Name"),
            self._get_param("Scopes"),
        )
        return ActionResult({"ResourceServer": resource_server.to_json()})

    def delete_resource_server_response(self):
        self.backend.delete_resource_server(self._get_param("UserPoolId"), self._get_param("Identifier"))
        return EmptyResult()

    CognitoIdpResponse.update_resource_server = update_resource_server_response
    CognitoIdpResponse.delete_resource_server = delete_resource_server_response
