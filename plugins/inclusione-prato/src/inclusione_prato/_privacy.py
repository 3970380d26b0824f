"""
What Prato's instruments leave out: special categories of personal data.

Health (including disability, addiction and mental health, GDPR art. 9) and judicial data
(art. 10) need their own legal basis; the scheda di invio states it does not carry them
and the elenco nominativo goes to every service of the EM. Both documents therefore show
the need *category* ``specialistica`` at most, never the need code. A later issue will
formalise minimisation per recipient; until then this module is the single place that
decides what is special.
"""

from __future__ import annotations

from collections.abc import Iterable

SPECIAL_CATEGORY_NEEDS = frozenset({"salute", "disabilita", "dipendenze", "salute_mentale", "giustizia"})
"""Need codes that reveal health, disability, addiction, mental-health or judicial data."""

HEALTH_NEEDS = SPECIAL_CATEGORY_NEEDS - {"giustizia"}
"""Special needs that the scheda di invio may mention only as "motivi di salute"."""

SPECIALIST_SERVICE_KINDS = frozenset({"serd", "csm", "sociosanitario"})
"""Service kinds whose presence in an equipe reveals a health need."""

SPECIALIST = "specialistica"
"""The only category shown in place of a special need code."""


def need_categories(codes: Iterable[str]) -> list[str]:
    """Need codes with every special-category code replaced by ``specialistica`` (sorted, unique)."""
    return sorted({SPECIALIST if c in SPECIAL_CATEGORY_NEEDS else c for c in codes})


def shareable_needs(codes: Iterable[str]) -> list[str]:
    """Need codes that may be written in a referral form (special categories dropped)."""
    return sorted({c for c in codes if c not in SPECIAL_CATEGORY_NEEDS})
