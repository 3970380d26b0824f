"""
Sealing of special-category payload fields: AES-256-GCM under a key per data subject.

The associated data bind a ciphertext to its event (event id, case id, type): a sealed
blob moved to another event does not open. Destroying the subject's key makes every blob
sealed under it unreadable (crypto-shredding); nothing else needs to be rewritten.
"""

from __future__ import annotations

import os
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["SealError", "associated_data", "new_key", "open_sealed", "seal"]

NONCE_BYTES: Final = 12
KEY_BITS: Final = 256


class SealError(ValueError):
    """A sealed blob does not open under the key and associated data given (tampered or moved)."""


def new_key() -> bytes:
    """A new random AES-256 key."""
    return AESGCM.generate_key(bit_length=KEY_BITS)


def associated_data(event_id: str, case_id: str, type_name: str) -> bytes:
    """The associated data of an event's sealed blob: its id, case and type, unambiguously joined."""
    return "\x00".join((event_id, case_id, type_name)).encode()


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """``nonce || ciphertext+tag`` of ``plaintext``, bound to ``aad``."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, blob: bytes, aad: bytes) -> bytes:
    """
    The plaintext of a blob made by :func:`seal`.

    :raises SealError: wrong key, other associated data, or a blob altered.
    """
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag:
        raise SealError("sealed payload does not open with this key and associated data") from None
