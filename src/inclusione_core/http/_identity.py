"""
Who is asking: the identity, recipient kind and purpose an API gateway verified.

The service authenticates nobody itself: ModI signatures, PDND vouchers and operators'
logins are the gateway's (GovWay, for instance), which passes on what it verified. Either
as headers it sets (and strips from what clients send: :class:`TrustedHeaders`, the
default), or through a verifier of the integrator's (any callable with the
:class:`IdentityVerifier` signature, e.g. one checking a signed token).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

import attrs

from .._models import Purpose

__all__ = ["Caller", "IdentityVerifier", "TrustedHeaders"]

_KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")
_SUBJECT = re.compile(r"(?=.*\S)[^\x00-\x1f\x7f]{1,200}")  # printable, not only blanks


@attrs.frozen
class Caller:
    """
    A verified caller.

    :ivar subject: who the gateway verified (an operator, a system): recorded in the audit.
    :ivar recipient: the recipient kind the answers are for (``cpi``, ``ssp``, ``serd``...).
    :ivar purpose: the purpose the data are asked for.
    :ivar service: the recipient's service id, when the gateway knows it.
    """

    subject: str
    recipient: str
    purpose: Purpose
    service: str | None = None


class IdentityVerifier(Protocol):
    """Gives the verified caller of a request from its headers (names in lower case), or None: 401."""

    def __call__(self, headers: Mapping[str, str]) -> Caller | None: ...


@attrs.frozen
class TrustedHeaders:
    """
    The caller from headers set by a trusted gateway, which must remove any copy a client
    sends: never expose the service without one. A header missing or malformed gives no
    caller (401), never a default recipient.
    """

    subject: str = "X-Inclusione-Subject"
    recipient: str = "X-Inclusione-Recipient"
    purpose: str = "X-Inclusione-Purpose"
    service: str = "X-Inclusione-Service"

    def names(self) -> dict[str, str]:
        """The header names, by what they carry."""
        return {"subject": self.subject, "recipient": self.recipient, "purpose": self.purpose,
                "service": self.service}

    def __call__(self, headers: Mapping[str, str]) -> Caller | None:
        subject = headers.get(self.subject.lower(), "")
        recipient = headers.get(self.recipient.lower(), "")
        purpose = headers.get(self.purpose.lower(), "")
        service = headers.get(self.service.lower()) or None
        if not (_SUBJECT.fullmatch(subject) and _KIND.fullmatch(recipient)):
            return None
        if service is not None and not _KIND.fullmatch(service):
            return None
        try:
            why = Purpose(purpose)
        except ValueError:
            return None
        return Caller(subject=subject, recipient=recipient, purpose=why, service=service)
