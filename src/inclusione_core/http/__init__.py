"""
The HTTP service (``pip install inclusione-core[http]``; ``inclusione serve``).

A stateless ASGI application (Starlette) over the same library calls as the CLI: the whole
evaluation, each step, the explanation of a decision, a streaming batch, the territories'
catalogues and the JSON Schemas under ``/v1``, with its OpenAPI 3.1 contract at
``/v1/openapi.json``. Every answer about a case is the privacy view for the recipient and
purpose the API gateway vouches for (:class:`TrustedHeaders`, or an
:class:`IdentityVerifier` of the integrator's), and is recorded in the disclosure audit.
See ``docs/http.md``.
"""

from ._app import ServiceLimits, create_app
from ._identity import Caller, IdentityVerifier, TrustedHeaders
from ._openapi import API_VERSION

__all__ = ["API_VERSION", "Caller", "IdentityVerifier", "ServiceLimits", "TrustedHeaders", "create_app"]
