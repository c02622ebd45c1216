"""Cognito: the OAuth 2.0 endpoints of a user pool domain, and a signing key per pool.

moto 5.2.1 has no user pool domain endpoints: no /oauth2/authorize, no
/oauth2/token, no sign-in page, so no client can get a token as a real app
does. It signs every pool's tokens with one fixed key (kid "dummy") and serves
that key as every pool's JWKS, so a token of one pool verifies against another.

What AWS does, and this patch copies (Amazon Cognito developer guide,
"User pool endpoints and managed login reference": the authorize, token and
login endpoints; "Understanding user pool JSON web tokens" for the claims):

- The domain answers on `https://<prefix>.auth.<region>.amazoncognito.com` (or
  its custom domain). Locally the same endpoints answer on that Host, and on
  `http://127.0.0.1:<port>/_cognito/<domain>/...` so that a browser and curl
  can reach them without a DNS entry (the path form is this emulator's only).
- GET /oauth2/authorize: `response_type=code`, `client_id`, `redirect_uri`
  (exactly one of the app client's callback URLs), `state`, `scope` (of the
  client's allowed OAuth scopes; all of them when absent), PKCE
  `code_challenge` with `code_challenge_method=S256` (the only method Cognito
  takes). An unknown client or a redirect URI that is not a callback URL gets
  an error page (never a redirect: it could be anyone's site); the other
  errors redirect to the callback with `error=` (`unauthorized_client`,
  `invalid_scope`, `invalid_request`, `unsupported_response_type`). A valid
  request goes to the sign-in page, /login, with the same query.
- /login: the sign-in form; POST `username` and `password` (form-encoded: what
  the form sends, and what a test sends without a browser). A confirmed,
  enabled user with that password is sent to the callback with a one-time
  `code` (valid 5 minutes) and the `state`; otherwise the form again, with
  "Incorrect username or password.".
- POST /oauth2/token (`application/x-www-form-urlencoded`), client
  authentication by `Authorization: Basic` or `client_id` (+ `client_secret`)
  in the body; a client with a secret must send it:
  - `client_credentials`: a confidential client with that flow; `scope`
    (custom scopes of a resource server): those the client may have are
    granted, the others ignored (`invalid_scope` when none is left), all of
    its custom scopes when absent; an access token only.
  - `authorization_code`: the code, once, by the client and `redirect_uri` it
    was issued to; with a PKCE challenge, `code_verifier` must hash (S256) to
    it; access, ID (when `openid` was granted) and refresh tokens.
  - `refresh_token`: new access and ID tokens for the same grant.
  Errors answer 400 with `{"error": ...}`: `invalid_request`, `invalid_client`,
  `invalid_grant`, `unauthorized_client`, `unsupported_grant_type`,
  `invalid_scope`.
- Tokens are RS256 JWTs signed with the pool's own key, whose public half
  `/<pool id>/.well-known/jwks.json` serves (kid in the header). Access
  token claims: `sub` (the user's, or the client id for client credentials),
  `cognito:groups`, `iss`, `version` 2, `client_id`, `origin_jti`,
  `event_id`, `token_use` "access", `scope`, `auth_time`, `exp`, `iat`,
  `jti`, `username`; ID token: `sub`, `aud`, `token_use` "id",
  `cognito:username`, `email`, `auth_time`, `nonce`, `iss`, `exp`, `iat`,
  `jti`, `origin_jti`. Lifetimes: the client's token validity and units.

moto's own InitiateAuth tokens are signed with the pool's key too (same
claims as moto made them, with the pool's kid).

Not documented by AWS, inferred and marked here: the CORS headers on these
endpoints (browser SDKs exchange the code with fetch from the app's origin,
which works on AWS only if Cognito allows it; the origin is echoed), and the
sign-in page's text for a user who must still set a permanent password (the
managed login asks for a new password instead).
"""
import base64
import hashlib
import html
import json
import re
import secrets
import threading
import time
import uuid
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

PATH_PREFIX = "/_cognito/"
HOST_PATTERN = re.compile(r"^(?P<prefix>[a-z0-9-]+)\.auth\.(?P<region>[a-z0-9-]+)\.amazoncognito\.com$")
CODE_LIFETIME_SECONDS = 300  # Cognito: authorization codes are valid for 5 minutes
UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}

_lock = threading.Lock()
_codes: dict = {}  # code -> grant (one use)
_refresh_grants: dict = {}  # refresh token -> grant


def apply() -> None:
    from joserfc import jwk, jwt
    from moto.cognitoidp import models
    from moto.cognitoidp.responses import CognitoIdpJsonWebKeyResponse
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    # ---------------------------------------------------------------- a key per pool
    original_init = models.CognitoIdpUserPool.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.json_web_key = jwk.RSAKey.generate_key(2048, parameters={"kid": str(uuid.uuid4()), "alg": "RS256", "use": "sig"}, private=True)

    models.CognitoIdpUserPool.__init__ = init

    original_create_jwt = models.CognitoIdpUserPool.create_jwt

    def create_jwt(self, client_id, username, token_use, expires_in=60 * 60, extra_data=None):
        token, expires = original_create_jwt(self, client_id, username, token_use, expires_in, extra_data)
        payload = jwt.decode(token, self.json_web_key).claims
        return sign(self, payload), expires

    models.CognitoIdpUserPool.create_jwt = create_jwt

    def sign(pool, claims: dict) -> str:
        return jwt.encode({"kid": pool.json_web_key.kid, "alg": "RS256"}, claims, pool.json_web_key)

    def serve_json_web_key(request, full_url, headers):
        pool_id = urlsplit(full_url).path.split("/")[1]
        pool = find_pool(pool_id)
        if pool is None:
            return 404, {"Content-Type": "application/json"}, json.dumps({"message": f"User pool {pool_id} does not exist."})
        key = pool.json_web_key.as_dict(private=False)
        return 200, {"Content-Type": "application/json"}, json.dumps({"keys": [key]})

    CognitoIdpJsonWebKeyResponse.serve_json_web_key = staticmethod(serve_json_web_key)

    # ---------------------------------------------------------------- lookups
    def backends():
        for regions in models.cognitoidp_backends.values():
            yield from regions.values()

    def find_pool(pool_id):
        for backend in backends():
            if pool_id in backend.user_pools:
                return backend.user_pools[pool_id]
        return None

    def find_domain(name):
        """The pool of a domain: a prefix domain by its prefix, a custom domain by its name."""
        for backend in backends():
            domain = backend.user_pool_domains.get(name)
            if domain is not None and domain.user_pool_id in backend.user_pools:
                return backend.user_pools[domain.user_pool_id]
        return None

    # ---------------------------------------------------------------- dispatch
    original_call = DomainDispatcherApplication.__call__

    def call(self, environ, start_response):
        host = (environ.get("HTTP_HOST") or "").split(":")[0].lower()
        path = environ.get("PATH_INFO", "")
        match = HOST_PATTERN.match(host)
        if path.startswith(PATH_PREFIX):
            rest = path[len(PATH_PREFIX):]
            domain, _, sub = rest.partition("/")
            return oauth(environ, start_response, domain, "/" + sub, f"{PATH_PREFIX}{domain}")
        if match:
            return oauth(environ, start_response, match.group("prefix"), path, "")
        if host and "amazonaws.com" not in host and host not in ("127.0.0.1", "localhost") and find_domain(host) is not None:
            return oauth(environ, start_response, host, path, "")  # a custom domain
        return original_call(self, environ, start_response)

    DomainDispatcherApplication.__call__ = call

    def oauth(environ, start_response, domain, path, base):
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        pool = find_domain(domain)

        def respond(response):
            origin = request.headers.get("Origin")
            if origin:  # browser apps call the token endpoint with fetch (code + PKCE exchange)
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Vary"] = "Origin"
            return response(environ, start_response)

        if request.method == "OPTIONS":
            response = Response(status=204)
            response.headers["Access-Control-Allow-Methods"] = "GET, POST"
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            return respond(response)
        if pool is None:
            return respond(error_page(404, f"No user pool has the domain {domain}."))
        if path == "/oauth2/authorize" and request.method == "GET":
            return respond(authorize(pool, request, base))
        if path == "/login" and request.method in ("GET", "POST"):
            return respond(login(pool, request, base))
        if path == "/oauth2/token" and request.method == "POST":
            return respond(token(pool, request))
        return respond(error_page(404, f"{request.method} {path} is not an endpoint of a user pool domain."))

    # ---------------------------------------------------------------- pages and errors
    def error_page(status, message):
        from werkzeug.wrappers import Response

        body = f"<!doctype html><title>Error</title><h1>An error was encountered with the requested page.</h1><p>{html.escape(message)}</p>"
        return Response(body, status=status, content_type="text/html; charset=utf-8")

    def oauth_error(error, description=None, status=400):
        from werkzeug.wrappers import Response

        body = {"error": error, **({"error_description": description} if description else {})}
        return Response(json.dumps(body), status=status, content_type="application/json;charset=UTF-8", headers={"Cache-Control": "no-store"})

    def redirect(url, **params):
        from werkzeug.wrappers import Response

        parts = urlsplit(url)
        query = "&".join(q for q in [parts.query, urlencode({k: v for k, v in params.items() if v is not None})] if q)
        return Response(status=302, headers={"Location": urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))})

    def config(client):
        return client.extended_config or {}

    def allowed_scopes(client):
        return list(config(client).get("AllowedOAuthScopes") or [])

    def custom_scopes(pool):
        return {f"{identifier}/{scope['ScopeName']}" for identifier, server in pool.resource_servers.items() for scope in (server.scopes or [])}

    # ---------------------------------------------------------------- /oauth2/authorize
    def check_authorize(pool, args):
        """(client, error page or None, redirect error or None) for an authorize or login request."""
        client = pool.clients.get(args.get("client_id", ""))
        if client is None:
            return None, error_page(400, "Client does not exist."), None
        redirect_uri = args.get("redirect_uri", "")
        if redirect_uri not in (config(client).get("CallbackURLs") or []):
            return client, error_page(400, "redirect_mismatch: redirect_uri is not one of the app client's callback URLs."), None
        state = args.get("state")
        if args.get("response_type") != "code":
            return client, None, redirect(redirect_uri, error="unsupported_response_type", state=state)
        if not config(client).get("AllowedOAuthFlowsUserPoolClient") or "code" not in (config(client).get("AllowedOAuthFlows") or []):
            return client, None, redirect(redirect_uri, error="unauthorized_client", state=state)
        requested = args.get("scope", "").split()
        if any(scope not in allowed_scopes(client) for scope in requested):
            return client, None, redirect(redirect_uri, error="invalid_scope", state=state)
        challenge, method = args.get("code_challenge"), args.get("code_challenge_method")
        if (challenge or method) and (method != "S256" or not challenge):
            return client, None, redirect(redirect_uri, error="invalid_request", error_description="code_challenge_method must be S256", state=state)
        return client, None, None

    def authorize(pool, request, base):
        args = request.args.to_dict()
        _, page, error = check_authorize(pool, args)
        if page is not None or error is not None:
            return page or error
        from werkzeug.wrappers import Response

        return Response(status=302, headers={"Location": f"{base}/login?{urlencode(args)}"})

    # ---------------------------------------------------------------- /login
    def login(pool, request, base):
        from werkzeug.wrappers import Response

        args = request.args.to_dict()
        client, page, error = check_authorize(pool, args)
        if page is not None or error is not None:
            return page or error
        message = ""
        if request.method == "POST":
            username, password = request.form.get("username", ""), request.form.get("password", "")
            user = pool._get_user(username) if username else None
            if user is not None and user.enabled and user.status == "CONFIRMED" and user.password == password:
                code = str(uuid.uuid4())
                scopes = args.get("scope", "").split() or allowed_scopes(client)
                with _lock:
                    _codes[code] = {
                        "pool": pool.id, "client_id": client.id, "redirect_uri": args["redirect_uri"], "scopes": scopes,
                        "challenge": args.get("code_challenge"), "username": user.username, "nonce": args.get("nonce"),
                        "auth_time": int(time.time()), "expires": time.time() + CODE_LIFETIME_SECONDS,
                    }
                return redirect(args["redirect_uri"], code=code, state=args.get("state"))
            message = "Password reset required for the user: set a permanent password (admin-set-user-password --permanent)." if user is not None and user.status == "FORCE_CHANGE_PASSWORD" and user.password == password else "Incorrect username or password."
        action = html.escape(f"{base}/login?{urlencode(args)}")
        body = (
            "<!doctype html><title>Sign in</title><h1>Sign in</h1>"
            + (f'<p role="alert">{html.escape(message)}</p>' if message else "")
            + f'<form method="post" action="{action}"><label>Username <input name="username" autocomplete="username"></label>'
            '<label>Password <input name="password" type="password" autocomplete="current-password"></label>'
            "<button type=\"submit\">Sign in</button></form>"
        )
        return Response(body, status=200, content_type="text/html; charset=utf-8")

    # ---------------------------------------------------------------- /oauth2/token
    def token(pool, request):
        if not (request.content_type or "").startswith("application/x-www-form-urlencoded"):
            return oauth_error("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        form = request.form
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
            except Exception:
                return oauth_error("invalid_client")
        client = pool.clients.get(client_id or "")
        if client is None:
            return oauth_error("invalid_client")
        if client.generate_secret and client_secret != client.secret:
            return oauth_error("invalid_client")
        grant_type = form.get("grant_type")
        flows = config(client).get("AllowedOAuthFlows") or []
        if grant_type == "client_credentials":
            if "client_credentials" not in flows or not client.generate_secret:
                return oauth_error("unauthorized_client")
            allowed = [s for s in allowed_scopes(client) if s in custom_scopes(pool)]
            # "If the client doesn't request any scopes, the authentication server uses all custom scopes associated
            # with the client"; scopes the client may not have are ignored. None left: nothing to grant.
            requested = [s for s in form.get("scope", "").split() if s in allowed] if form.get("scope", "").strip() else allowed
            if not requested:
                return oauth_error("invalid_scope")
            access, expires_in = access_token(pool, client, None, requested, int(time.time()), None)
            return tokens_response({"access_token": access, "expires_in": expires_in})
        if grant_type == "authorization_code":
            if "code" not in flows:
                return oauth_error("unauthorized_client")
            with _lock:
                grant = _codes.pop(form.get("code", ""), None)  # one use, even when refused below
            if grant is None or grant["pool"] != pool.id or grant["client_id"] != client.id or grant["expires"] < time.time():
                return oauth_error("invalid_grant")
            if form.get("redirect_uri") != grant["redirect_uri"]:
                return oauth_error("invalid_grant")
            if grant["challenge"]:
                verifier = form.get("code_verifier", "")
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if not verifier or not secrets.compare_digest(digest, grant["challenge"]):
                    return oauth_error("invalid_grant")
            refresh = str(uuid.uuid4())
            grant = {**grant, "origin_jti": str(uuid.uuid4())}
            with _lock:
                _refresh_grants[refresh] = grant
            pool.refresh_tokens[refresh] = (client.id, grant["username"], grant["origin_jti"])
            return tokens_response({**user_tokens(pool, client, grant), "refresh_token": refresh})
        if grant_type == "refresh_token":
            with _lock:
                grant = _refresh_grants.get(form.get("refresh_token", ""))
            if grant is None or grant["client_id"] != client.id or pool.refresh_tokens.get(form.get("refresh_token", "")) is None:
                return oauth_error("invalid_grant")
            return tokens_response(user_tokens(pool, client, grant))
        return oauth_error("unsupported_grant_type")

    def tokens_response(body):
        from werkzeug.wrappers import Response

        return Response(json.dumps({**body, "token_type": "Bearer"}), status=200, content_type="application/json;charset=UTF-8", headers={"Cache-Control": "no-store"})

    def validity(client, kind, default_seconds):
        value = config(client).get(f"{kind}TokenValidity")
        unit = (config(client).get("TokenValidityUnits") or {}).get(f"{kind}Token", "days" if kind == "Refresh" else "hours")
        return int(value) * UNITS.get(unit, 3600) if value else default_seconds

    def access_token(pool, client, user, scopes, auth_time, origin_jti):
        now = int(time.time())
        expires_in = validity(client, "Access", 3600)
        claims = {
            "sub": user.id if user else client.id,
            "iss": f"https://cognito-idp.{pool.region}.amazonaws.com/{pool.id}",
            "version": 2,
            "client_id": client.id,
            "token_use": "access",
            "scope": " ".join(scopes),
            "auth_time": auth_time,
            "exp": now + expires_in,
            "iat": now,
            "jti": str(uuid.uuid4()),
        }
        if user is not None:
            claims.update({"origin_jti": origin_jti, "event_id": str(uuid.uuid4()), "username": user.username})
            if user.groups:
                claims["cognito:groups"] = sorted(group.group_name for group in user.groups)
        return sign(pool, claims), expires_in

    def user_tokens(pool, client, grant):
        user = pool._get_user(grant["username"])
        if user is None or not user.enabled:
            return oauth_error("invalid_grant")
        access, expires_in = access_token(pool, client, user, grant["scopes"], grant["auth_time"], grant["origin_jti"])
        result = {"access_token": access, "expires_in": expires_in}
        if "openid" in grant["scopes"]:
            now = int(time.time())
            attributes = {a["Name"]: a["Value"] for a in user.attributes}
            claims = {
                "sub": user.id,
                "aud": client.id,
                "iss": f"https://cognito-idp.{pool.region}.amazonaws.com/{pool.id}",
                "token_use": "id",
                "cognito:username": user.username,
                "auth_time": grant["auth_time"],
                "exp": now + validity(client, "Id", 3600),
                "iat": now,
                "jti": str(uuid.uuid4()),
                "origin_jti": grant["origin_jti"],
                "event_id": str(uuid.uuid4()),
                **({"email": attributes["email"]} if "email" in attributes and "email" in grant["scopes"] else {}),
                **({"email_verified": attributes.get("email_verified") == "true"} if "email" in attributes and "email" in grant["scopes"] else {}),
                **({"nonce": grant["nonce"]} if grant.get("nonce") else {}),
            }
            result["id_token"] = sign(pool, claims)
        return result
