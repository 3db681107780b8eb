"""How the OpenAPI schema (drf-spectacular) describes the API token: imported in
StaffConfig.ready(), as drf-spectacular asks of its extensions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "lifecycle.staff.api_tokens.TokenAuthentication"
    name = "tokenAuth"  # the name the schema gave DRF's plaintext tokens: clients keep theirs

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.authenticate_header(None)
        )
