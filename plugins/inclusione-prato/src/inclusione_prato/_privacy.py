"""
What Prato's instruments may carry: the recipient views of the core, and what they withhold.

The scheda di invio and the elenco nominativo take their data from
:meth:`inclusione_core.Engine.disclose_case` (and ``disclose_result``), so they are
filtered by the territory's ``privacy`` configuration and recorded in the disclosure
audit. Special categories of data (health, addiction, mental health: GDPR art. 9; judicial
data: art. 10) reach an instrument only when a legal basis or a valid consent allows them
for that recipient and purpose.

What an instrument leaves out is listed in it (``dati_non_trasmessi``), category by
category, never silently dropped. A special category is listed whenever the recipient has
no basis for it, **whether or not the case holds such data**: the list depends on the
configuration, the recipient, the purpose and the consents, never on the case's special
data, so reading it reveals nothing about them. The exact paths withheld are in the audit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from inclusione_core import Case, DataCategory, Policy, Purpose, Territory

SERVICE_CATEGORY = {"serd": DataCategory.ADDICTION, "csm": DataCategory.MENTAL_HEALTH,
                    "sociosanitario": DataCategory.HEALTH}
"""Service kinds whose contact with the person reveals a special category of data."""

HEALTH_CATEGORIES = frozenset({DataCategory.HEALTH, DataCategory.ADDICTION, DataCategory.MENTAL_HEALTH})
"""Categories that the scheda di invio may summarise as "motivi di salute" when they may flow."""


class Allowed:
    """Which categories may flow to some recipient kinds, for a purpose, on a date (all of them)."""

    def __init__(self, territory: Territory, case: Case, recipients: Iterable[str], purpose: Purpose,
                 as_of: dt.date) -> None:
        self.policy = Policy(territory)
        self.case = case
        self.recipients = sorted(set(recipients))
        self.purpose = purpose
        self.as_of = as_of

    def __call__(self, category: DataCategory | str) -> bool:
        """Whether every recipient has a basis (law, or a valid consent) for the category."""
        return all(self.policy.basis(str(category), r, self.purpose, self.case, self.as_of) is not None
                   for r in self.recipients)

    def not_transmitted(self) -> list[dict[str, Any]]:
        """
        Every category that some recipient may not receive, with the reason (the
        instruments' ``dati_non_trasmessi``).

        The reason names the recipients the configuration gives no basis at all; it does
        not name those that lack a consent, because consents about a special category
        would hint at the data (a consent about addiction data suggests an addiction).
        """
        out = []
        for category in DataCategory:
            code = category.value
            denied = [r for r in self.recipients
                      if self.policy.basis(code, r, self.purpose, self.case, self.as_of) is None]
            if not denied:
                continue
            no_flow = [r for r in denied if not self.policy.needs_consent(code, r, self.purpose)]
            why = (f"comunicabili solo con una base giuridica o un consenso valido per ogni destinatario"
                   f" (finalità {self.purpose.value}, al {self.as_of.isoformat()})")
            if no_flow:
                why += f"; nessuna base prevista per: {', '.join(no_flow)}"
            out.append({"categoria": code, "descrizione": category.label_it, "motivo": why})
        return out
