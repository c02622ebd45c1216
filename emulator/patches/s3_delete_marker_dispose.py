"""S3: deleting every version of a key that has a delete marker.

With versioning on, deleting an object leaves a delete marker (Terraform's
S3-native lock file does this on every unlock). When the last versions of such
a key are deleted by version id (what `force_destroy` and `aws s3api
delete-object --version-id` do), moto 5.2.1 calls `dispose()` on each stored
version, and its FakeDeleteMarker has no such method: HTTP 500, which the AWS
provider retries for ever, so destroying the state bucket hangs. AWS simply
removes the versions. A delete marker holds no data, so disposing of it is a no-op.
"""


def apply() -> None:
    from moto.s3.models import FakeDeleteMarker

    if not hasattr(FakeDeleteMarker, "dispose"):
        FakeDeleteMarker.dispose = lambda self, garbage=False: None  # type: ignore[attr-defined]
