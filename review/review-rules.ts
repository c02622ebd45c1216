/**
 * The review's rules as data: which changes a security reviewer must see (SECURITY_RULES), which resources lose
 * something when destroyed (PROTECTED_TYPES), and which attributes hold secrets (never printed). Review changes to
 * these tables like code.
 */

export interface SecurityRule {
  /** Terraform resource type. */
  readonly type: string;
  /** What the reviewer is told this resource controls. */
  readonly control: string;
  /**
   * Attribute paths (dotted, no indices; a prefix matches everything below it) whose update is
   * security-relevant; `'any'` for every attribute except tags. A create, delete or replace of
   * the type is always security-relevant.
   */
  readonly attributes: readonly string[] | 'any';
}

/** Which changes a security reviewer must see. One line a rule, so a review of this table is a review of the policy. */
export const SECURITY_RULES: readonly SecurityRule[] = [
  // API Gateway: the resource policy is the private API's network lock; authorizers and scopes are its identity lock.
  { type: 'aws_api_gateway_rest_api_policy', control: 'API resource policy', attributes: 'any' },
  { type: 'aws_api_gateway_rest_api', control: 'API endpoint type and policy', attributes: ['policy', 'endpoint_configuration', 'disable_execute_api_endpoint', 'api_key_source'] },
  { type: 'aws_api_gateway_authorizer', control: 'API authorizer', attributes: 'any' },
  // A body change is shown route by route; its scope, authorizer, endpoint and integration-target changes are flagged there.
  { type: 'aws_api_gateway_domain_name', control: 'private custom domain (policy, endpoint type, certificate)', attributes: ['policy', 'endpoint_configuration', 'certificate_arn', 'security_policy'] },
  { type: 'aws_api_gateway_domain_name_access_association', control: 'which VPC endpoint may call the private custom domain', attributes: 'any' },
  { type: 'aws_api_gateway_base_path_mapping', control: 'which API and stage a path reaches', attributes: 'any' },
  { type: 'aws_api_gateway_method', control: 'method authorization and scopes', attributes: ['authorization', 'authorizer_id', 'authorization_scopes', 'api_key_required'] },
  { type: 'aws_api_gateway_method_settings', control: 'API throttling', attributes: ['settings.throttling_rate_limit', 'settings.throttling_burst_limit'] },
  { type: 'aws_api_gateway_stage', control: 'API stage (client certificate, WAF)', attributes: ['client_certificate_id', 'web_acl_arn'] },
  { type: 'aws_lambda_permission', control: 'who may invoke a function', attributes: 'any' },
  // Network controls.
  { type: 'aws_security_group', control: 'security group rules', attributes: ['ingress', 'egress', 'vpc_id'] },
  { type: 'aws_default_security_group', control: 'default security group rules', attributes: ['ingress', 'egress'] },
  { type: 'aws_security_group_rule', control: 'security group rule', attributes: 'any' },
  { type: 'aws_vpc_security_group_ingress_rule', control: 'security group ingress rule', attributes: 'any' },
  { type: 'aws_vpc_security_group_egress_rule', control: 'security group egress rule', attributes: 'any' },
  { type: 'aws_network_acl', control: 'network ACL', attributes: ['ingress', 'egress', 'subnet_ids'] },
  { type: 'aws_network_acl_rule', control: 'network ACL rule', attributes: 'any' },
  { type: 'aws_route', control: 'route (a route to the internet gateway makes a subnet public)', attributes: 'any' },
  { type: 'aws_route_table', control: 'routes (a route to the internet gateway makes a subnet public)', attributes: ['route'] },
  { type: 'aws_subnet', control: 'public IPs on launch', attributes: ['map_public_ip_on_launch'] },
  { type: 'aws_vpc_endpoint', control: 'VPC endpoint (policy, security groups, private DNS)', attributes: ['policy', 'security_group_ids', 'private_dns_enabled', 'subnet_ids', 'service_name', 'vpc_endpoint_type'] },
  { type: 'aws_vpc_endpoint_policy', control: 'VPC endpoint policy', attributes: 'any' },
  // WAF.
  { type: 'aws_wafv2_web_acl', control: 'WAF web ACL', attributes: 'any' },
  { type: 'aws_wafv2_web_acl_logging_configuration', control: 'WAF logging', attributes: 'any' },
  { type: 'aws_wafv2_web_acl_association', control: 'WAF association', attributes: 'any' },
  { type: 'aws_wafv2_rule_group', control: 'WAF rule group', attributes: 'any' },
  { type: 'aws_wafv2_ip_set', control: 'WAF IP set', attributes: 'any' },
  // TLS and the edge.
  { type: 'aws_lb', control: 'load balancer exposure and header handling', attributes: ['internal', 'security_groups', 'subnets', 'drop_invalid_header_fields', 'enable_deletion_protection', 'access_logs'] },
  { type: 'aws_lb_listener', control: 'listener TLS policy and actions', attributes: ['ssl_policy', 'protocol', 'port', 'certificate_arn', 'default_action', 'mutual_authentication'] },
  { type: 'aws_lb_listener_rule', control: 'listener rule (who reaches the targets)', attributes: 'any' },
  { type: 'aws_lb_target_group', control: 'target protocol', attributes: ['protocol', 'port', 'target_type'] },
  { type: 'aws_cloudfront_distribution', control: 'CloudFront (TLS policy, origins, WAF, viewer protocol)', attributes: ['viewer_certificate', 'origin', 'default_cache_behavior.viewer_protocol_policy', 'default_cache_behavior.allowed_methods', 'default_cache_behavior.response_headers_policy_id', 'ordered_cache_behavior', 'web_acl_id', 'logging_config', 'aliases', 'restrictions', 'enabled'] },
  { type: 'aws_cloudfront_vpc_origin', control: 'CloudFront VPC origin (origin protocol and TLS)', attributes: 'any' },
  { type: 'aws_cloudfront_response_headers_policy', control: 'security response headers', attributes: 'any' },
  { type: 'aws_cloudfront_origin_access_control', control: 'CloudFront origin access', attributes: 'any' },
  // Identity.
  { type: 'aws_cognito_user_pool_client', control: 'Cognito app client (flows, scopes, secret, redirect URLs)', attributes: 'any' },
  { type: 'aws_cognito_user_pool', control: 'Cognito user pool settings', attributes: ['password_policy', 'mfa_configuration', 'software_token_mfa_configuration', 'admin_create_user_config', 'deletion_protection', 'account_recovery_setting', 'user_pool_add_ons', 'lambda_config', 'auto_verified_attributes', 'sign_in_policy'] },
  { type: 'aws_cognito_resource_server', control: 'OAuth scopes', attributes: ['scope', 'identifier'] },
  { type: 'aws_cognito_user_pool_domain', control: 'hosted sign-in domain', attributes: 'any' },
  { type: 'aws_cognito_identity_provider', control: 'federated identity provider', attributes: 'any' },
  // Data at rest and access to it.
  { type: 'aws_s3_bucket_policy', control: 'bucket policy', attributes: 'any' },
  { type: 'aws_s3_bucket_public_access_block', control: 'bucket public access block', attributes: 'any' },
  { type: 'aws_s3_account_public_access_block', control: 'account public access block', attributes: 'any' },
  { type: 'aws_s3_bucket_ownership_controls', control: 'bucket ownership (ACLs)', attributes: 'any' },
  { type: 'aws_s3_bucket_acl', control: 'bucket ACL', attributes: 'any' },
  { type: 'aws_s3_bucket_server_side_encryption_configuration', control: 'bucket encryption', attributes: 'any' },
  { type: 'aws_s3_bucket_versioning', control: 'bucket versioning', attributes: 'any' },
  { type: 'aws_s3_bucket', control: 'bucket (inline policy, ACL, encryption)', attributes: ['policy', 'acl', 'grant', 'server_side_encryption_configuration', 'force_destroy', 'object_lock_enabled'] },
  { type: 'aws_kms_key', control: 'KMS key (policy, rotation, deletion)', attributes: 'any' },
  { type: 'aws_kms_key_policy', control: 'KMS key policy', attributes: 'any' },
  { type: 'aws_kms_alias', control: 'KMS alias (which key encrypts)', attributes: ['target_key_id'] },
  { type: 'aws_kms_grant', control: 'KMS grant', attributes: 'any' },
  { type: 'aws_secretsmanager_secret', control: 'secret (policy, key, recovery)', attributes: ['policy', 'kms_key_id', 'recovery_window_in_days'] },
  { type: 'aws_secretsmanager_secret_policy', control: 'secret policy', attributes: 'any' },
  { type: 'aws_cloudwatch_log_group', control: 'log retention and encryption', attributes: ['retention_in_days', 'kms_key_id'] },
  // IAM.
  { type: 'aws_iam_role', control: 'IAM role (trust and permissions)', attributes: ['assume_role_policy', 'inline_policy', 'managed_policy_arns', 'permissions_boundary'] },
  { type: 'aws_iam_role_policy', control: 'IAM role policy', attributes: 'any' },
  { type: 'aws_iam_role_policy_attachment', control: 'IAM policy attachment', attributes: 'any' },
  { type: 'aws_iam_role_policies_exclusive', control: 'IAM role policies', attributes: 'any' },
  { type: 'aws_iam_policy', control: 'IAM policy', attributes: ['policy'] },
  { type: 'aws_iam_policy_attachment', control: 'IAM policy attachment', attributes: 'any' },
  { type: 'aws_iam_user', control: 'IAM user', attributes: 'any' },
  { type: 'aws_iam_access_key', control: 'IAM access key', attributes: 'any' },
  { type: 'aws_iam_openid_connect_provider', control: 'OIDC identity provider (CI trust)', attributes: 'any' },
  { type: 'aws_api_gateway_account', control: 'API Gateway logging role', attributes: 'any' },
];

/** Resources whose destruction loses state or identity that cannot be recreated. */
export const PROTECTED_TYPES: Readonly<Record<string, string>> = {
  aws_cognito_user_pool: 'user pool: its users and their passwords are lost',
  aws_s3_bucket: 'bucket: its objects are lost',
  aws_kms_key: 'KMS key: whatever it encrypted becomes unreadable',
  aws_cloudwatch_log_group: 'log group: its logs are lost',
  aws_secretsmanager_secret: 'secret: its value is lost',
  aws_route53_zone: 'hosted zone: a new zone gets new name servers, breaking the delegation',
  aws_dynamodb_table: 'table: its items are lost',
};

/**
 * String values never printed even when Terraform does not mark them sensitive: by attribute name
 * (any path segment), or by place (CloudFront's custom origin headers and ALB header conditions
 * carry the origin-verify secret). Booleans and numbers under these names (`generate_secret`) are shown.
 */
export const REDACTED_SEGMENT = /^([a-z0-9_]*_)?(secret|secret_string|secret_binary|password|passphrase|private_key|api_key|key_material)(_wo)?$/i;
export const REDACTED_PATHS: readonly RegExp[] = [/(^|\.)custom_header\[\d+\]\.value$/, /(^|\.)http_header\[\d+\]\.values(\[\d+\])?$/];
