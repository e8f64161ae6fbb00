"""A small OpenID Connect provider on a local port, for sign-in tests.

It serves discovery, the authorization endpoint (it signs the configured person in at once and
redirects back with a code), the token endpoint (an RS256-signed id_token; checks the client
secret, the redirect URI and PKCE), the JWKS and userinfo. `tamper` makes it misbehave the way
a forged or replayed token would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "productize-tests"
CLIENT_SECRET = "fake-client-secret"
KID = "key-1"


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeProvider:
    """The provider's state: who signs in, what it has issued, and how it misbehaves."""

    claims: dict[str, Any] = field(
        default_factory=lambda: {
            "sub": "user-1",
            "email": "alice@example.com",
            "email_verified": True,
            "name": "Alice Archer",
        }
    )
    # "" (honest), "signature" (signed with a key it does not publish), "nonce", "audience",
    # "issuer", "expired", "alg-none", "userinfo-sub"
    tamper: str = ""
    key: rsa.RSAPrivateKey = field(default_factory=_rsa_key)
    other_key: rsa.RSAPrivateKey = field(default_factory=_rsa_key)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    issuer: str = ""
    server: ThreadingHTTPServer | None = None

    def discovery(self) -> dict[str, Any]:
        """The discovery document."""
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        """The published signing key."""
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def id_token(self, nonce: str) -> str:
        """An id_token for the configured person (tampered with as asked)."""
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **{k: v for k, v in self.claims.items() if k in {"sub", "email", "email_verified"}},
        }
        key: Any = self.key
        if self.tamper == "signature":
            key = self.other_key
        elif self.tamper == "nonce":
            payload["nonce"] = "not-the-nonce"
        elif self.tamper == "audience":
            payload["aud"] = "some-other-client"
        elif self.tamper == "issuer":
            payload["iss"] = "https://evil.example"
        elif self.tamper == "expired":
            payload["iat"], payload["exp"] = now - 3600, now - 1800
        if self.tamper == "alg-none":
            return jwt.encode(payload, None, algorithm="none", headers={"kid": KID})
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": KID})

    def userinfo(self) -> dict[str, Any]:
        """The userinfo claims."""
        info = dict(self.claims)
        if self.tamper == "userinfo-sub":
            info["sub"] = "someone-else"
        return info

    def authorize(self, query: dict[str, str]) -> str:
        """Sign the configured person in; the URL to send the browser back to."""
        self.authorize_requests.append(query)
        code = secrets.token_urlsafe(16)
        self.codes[code] = query
        back = {"code": code, "state": query.get("state", "")}
        return f"{query['redirect_uri']}?{urlencode(back)}"

    def token(self, form: dict[str, str], basic: str) -> tuple[int, dict[str, Any]]:
        """Exchange a code for tokens, checking the client and PKCE."""
        self.token_requests.append(form)
        client_secret = form.get("client_secret", "")
        if basic:
            client_secret = base64.b64decode(basic).decode().split(":", 1)[1]
        if form.get("client_id") != CLIENT_ID or client_secret != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        asked = self.codes.pop(form.get("code", ""), None)
        if asked is None or asked.get("redirect_uri") != form.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        challenge = asked.get("code_challenge")
        if challenge:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != challenge:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        return 200, {
            "access_token": "access-" + secrets.token_urlsafe(8),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(asked.get("nonce", "")),
        }


def _handler(provider: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path.endswith("/.well-known/openid-configuration"):
                self._json(200, provider.discovery())
            elif url.path == "/jwks":
                self._json(200, provider.jwks())
            elif url.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", provider.authorize(query))
                self.end_headers()
            elif url.path == "/userinfo":
                if not self.headers.get("Authorization", "").startswith("Bearer access-"):
                    self._json(401, {"error": "invalid_token"})
                else:
                    self._json(200, provider.userinfo())
            else:
                self._json(404, {"error": "not found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/token":
                self._json(404, {"error": "not found"})
                return
            auth = self.headers.get("Authorization", "")
            status, body = provider.token(form, auth[6:] if auth.startswith("Basic ") else "")
            self._json(status, body)

    return Handler


def start() -> FakeProvider:
    """Start a provider on a free local port (a daemon thread); `stop` it after."""
    provider = FakeProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.server = server
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return provider


def stop(provider: FakeProvider) -> None:
    """Stop the provider's server."""
    if provider.server is not None:
        provider.server.shutdown()
        provider.server.server_close()
