"""
What Prato's instruments may carry: the recipient views of the core, and what they withhold.

The scheda di invio and the elenco nominativo take their data from the recipients' views
(``Engine.preview_case`` and ``preview_result``), so they are filtered by the
territory's ``privacy`` configuration, and leave through
:meth:`inclusione_core.Engine.disclose_document`, which records them in the disclosure
audit. Special categories of data (health, addiction, mental health: GDPR art. 9;
judicial data: art. 10) reach an instrument only when a legal basis or a valid consent
allows them for that recipient and purpose.

What an instrument leaves out is listed in it (``dati_non_trasmessi``), category by
category, never silently dropped. A special category is listed whenever the recipient has
no basis for it, **whether or not the case holds such data**: the list depends on the
configuration, the recipient, the purpose and the consents, never on the case's special
data, so reading it reveals nothing about them. The exact paths withheld are in the audit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from inclusione_core import Case, DataCategory, Engine, Grants, Purpose

SERVICE_CATEGORY = {"serd": DataCategory.ADDICTION, "csm": DataCategory.MENTAL_HEALTH,
                    "sociosanitario": DataCategory.HEALTH}
"""Service kinds whose contact with the person reveals a special category of data."""

HEALTH_CATEGORIES = frozenset({DataCategory.HEALTH, DataCategory.ADDICTION, DataCategory.MENTAL_HEALTH})
"""Categories that the scheda di invio may summarise as "motivi di salute" when they may flow."""

EVERYONE = Grants.EVERYONE
"""A decision about the whole case (as in the core's views): every member's consent is needed."""
HOUSEHOLD = Grants.HOUSEHOLD
"""A datum about the household as a whole: every adult member's consent is needed."""


class Allowed:
    """Which categories may flow to some recipient kinds for a purpose, now (all of them)."""

    def __init__(self, engine: Engine, case: Case, recipients: Iterable[str], purpose: Purpose) -> None:
        self.recipients = sorted(set(recipients))
        self.purpose = purpose
        self.grants = [engine.grants(case, recipient=r, purpose=purpose) for r in self.recipients]
        self.special = {k for k in self.recipients if k in SERVICE_CATEGORY}

    def __call__(self, category: DataCategory | str, subject: str = EVERYONE) -> bool:
        """Whether every recipient has a basis (law, or the data subjects' valid consents) for the category."""
        return all(g.allows(str(category), subject) for g in self.grants)

    def not_transmitted(self) -> list[dict[str, Any]]:
        """
        Every category that some recipient may not receive for the whole case, with the
        reason (the instruments' ``dati_non_trasmessi``): the same whatever the case holds.

        The reason names the recipients the configuration gives no basis at all, except a
        health service (SerD, CSM, socio-sanitary): that it receives the document would
        reveal that some case on it involves it. It never names those that lack a consent,
        because consents about a special category would hint at the data.
        """
        out = []
        for category in DataCategory:
            code = category.value
            denied = [g for g in self.grants if not g.allows(code)]
            if not denied:
                continue
            no_flow = [g.recipient for g in denied if not g.policy.needs_consent(code, g.recipient, self.purpose)
                       and g.recipient not in self.special]
            why = (f"comunicabili solo con una base giuridica o il consenso valido di ogni interessato per ogni"
                   f" destinatario (finalità {self.purpose.value})")
            if no_flow:
                why += f"; nessuna base prevista per: {', '.join(no_flow)}"
            out.append({"categoria": code, "descrizione": category.label_it, "motivo": why})
        return out
