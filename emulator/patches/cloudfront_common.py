"""Helpers shared by the CloudFront patches (not a patch itself)."""


def error(code: str, message: str):
    """A CloudFront error; its HTTP status comes from the AWS model for `code`."""
    from moto.cloudfront.exceptions import CloudFrontException

    return CloudFrontException(code, message)


def get(data, *keys):
    """data[k1][k2]... or None; parsed XML has absent members as absent keys, moto models as attributes."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else getattr(data, key, None)
        if data is None:
            return None
    return data


def add_state(backend_class, attribute: str, factory) -> None:
    """Gives every CloudFront backend (created lazily, per account) one more store."""
    original = backend_class.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        setattr(self, attribute, factory())

    backend_class.__init__ = init


def add_routes(paths: dict) -> None:
    """Adds URL patterns to moto's CloudFront app; read when the server builds it, on the first request."""
    from moto.cloudfront import urls

    urls.url_paths.update(paths)
