"""
Data categories of the case exchange format (GDPR art. 9 and 10 special categories marked).

Every field of the case format is marked once with its category (``field(category=...)``
in the models); the generated ``case.schema.json`` exports it as ``x-category`` so that
integrators in any language see it. A few fields take their category from the territory
configuration, by code: a need (``needs.<code>.data_category``), an assessment dimension,
a scheduled intervention, a service (``services.<id>.data_category``) and a scored
instrument (every category its items declare, ``scores.<code>.items.*.data_category``): an addiction
need is ``addiction`` data, a housing need is ``housing`` data, and that a referral was
sent by the SerD is ``addiction`` data too.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["BY_CODE", "DataCategory", "Export"]


class DataCategory(StrEnum):
    """What kind of personal data a field holds."""

    IDENTITY = "identity"
    CONTACT = "contact"
    HOUSEHOLD = "household"
    ECONOMIC = "economic"
    WORK = "work"
    EDUCATION = "education"
    HOUSING = "housing"
    SOCIAL = "social"
    PROCESS = "process"
    HEALTH = "health"
    ADDICTION = "addiction"
    MENTAL_HEALTH = "mental_health"
    JUSTICE = "justice"
    RECORDS = "records"

    @property
    def special(self) -> bool:
        """GDPR art. 9 (health, addiction, mental health) or art. 10 (justice) data.

        ``records`` (documents as exchanged, e.g. a referral's snapshot) may contain any of
        them and is treated as special.
        """
        return self in _SPECIAL

    @property
    def label_it(self) -> str:
        """Italian label for operators."""
        return _LABELS_IT[self]


_SPECIAL = frozenset({
    DataCategory.HEALTH, DataCategory.ADDICTION, DataCategory.MENTAL_HEALTH, DataCategory.JUSTICE,
    DataCategory.RECORDS,
})

_LABELS_IT = {
    DataCategory.IDENTITY: "dati identificativi",
    DataCategory.CONTACT: "recapiti e residenza",
    DataCategory.HOUSEHOLD: "composizione del nucleo",
    DataCategory.ECONOMIC: "situazione economica e misure",
    DataCategory.WORK: "lavoro",
    DataCategory.EDUCATION: "istruzione e formazione",
    DataCategory.HOUSING: "abitazione",
    DataCategory.SOCIAL: "condizione sociale e relazioni",
    DataCategory.PROCESS: "gestione del caso",
    DataCategory.HEALTH: "salute (art. 9 GDPR)",
    DataCategory.ADDICTION: "dipendenze (art. 9 GDPR)",
    DataCategory.MENTAL_HEALTH: "salute mentale (art. 9 GDPR)",
    DataCategory.JUSTICE: "dati giudiziari (art. 10 GDPR)",
    DataCategory.RECORDS: "documenti scambiati (possono contenere categorie particolari)",
}


class BY_CODE(StrEnum):
    """Fields whose category comes from the territory configuration, by the item's code."""

    NEEDS = "needs"
    DIMENSIONS = "dimensions"
    INTERVENTIONS = "interventions"
    SERVICES = "services"
    PROGRAMMES = "programmes"
    SCORES = "scores"


class Export(StrEnum):
    """How a pseudonymised export treats a field."""

    KEEP = "keep"
    HASH = "hash"  # direct identifier: replaced by a keyed hash (stable within one export key)
    YEAR = "year"  # quasi-identifying date: generalised to its year
    DROP = "drop"  # names and free text: removed
