"""S3 lifecycle: keep NoncurrentVersionExpiration.NewerNoncurrentVersions.

AWS stores `NewerNoncurrentVersions` of a rule's NoncurrentVersionExpiration
(keep the N newest old versions whatever their age) and returns it from
GetBucketLifecycleConfiguration. moto 5.2.1 keeps only `NoncurrentDays`, so
`aws_s3_bucket_lifecycle_configuration` with `newer_noncurrent_versions` (the
state bucket of `npm run bootstrap`) waits 3 minutes for the configuration to
read back as written, then fails.
"""


def apply() -> None:
    from moto.s3 import models, responses

    original_set = models.FakeBucket.set_lifecycle

    def set_lifecycle(self, rules):
        original_set(self, rules)
        for rule_input, rule in zip(rules, self.rules):
            expiration = rule_input.get("NoncurrentVersionExpiration") or {}
            rule.nve_newer_versions = expiration.get("NewerNoncurrentVersions")

    models.FakeBucket.set_lifecycle = set_lifecycle

    original_get = responses.S3Response.get_bucket_lifecycle

    def get_bucket_lifecycle(self):
        rules = self.backend.get_bucket_lifecycle(self.bucket_name)
        serialized = self.serialized

        def with_newer_versions(action_result):
            for rule, out in zip(rules or [], action_result.result.get("Rules", [])):
                newer = getattr(rule, "nve_newer_versions", None)
                if newer is not None and "NoncurrentVersionExpiration" in out:
                    out["NoncurrentVersionExpiration"]["NewerNoncurrentVersions"] = newer
            return serialized(action_result)

        self.serialized = with_newer_versions
        try:
            return original_get(self)
        finally:
            del self.serialized

    responses.S3Response.get_bucket_lifecycle = get_bucket_lifecycle
