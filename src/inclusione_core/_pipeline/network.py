"""
The network as data: the case's municipality selects its ambito territoriale and the
services competent for it (``network:`` of the territory configuration).

The network is what an integrator fills (an example set where a layer ships one, and the
reason says so): a municipality it does not list gets no ambito, and the reason asks for
the configuration to be completed rather than guessing. Which ambito a case belongs to
reveals where the household lives: the reason reads contact data.
"""

from __future__ import annotations

from typing import Any

from .._categories import DataCategory
from .._config import Territory
from .._models import Case, NetworkAssignment
from .._reasons import from_entry
from ..i18n import Message

RULE = "rete.ambito"


def assign(case: Case, territory: Territory) -> NetworkAssignment | None:
    """
    The ambito of the case's municipality and its competent services; None when the territory
    configures no network or the case gives no municipality code.
    """
    network = territory.setting("network")
    code = case.household.municipality_code
    if network is None or code is None:
        return None
    place = (network.get("municipalities") or {}).get(code)
    example = bool(network.get("example"))
    inputs: dict[str, Any] = {"comune": code, "rete_di_esempio": example}
    if place is None:
        msg = Message("Municipality {code} is not in the territory's configured network: no ambito territoriale;"
                      " the configuration is to be completed (the integrator fills the network).", code=code)
        reason = from_entry(territory, network, RULE, msg, inputs, categories=(DataCategory.CONTACT,))
        return NetworkAssignment(municipality=code, ambito=None, reason=reason)
    ambito = network["ambiti"][place["ambito"]]
    services = {str(kind): str(name) for kind, name in sorted(ambito["services"].items())}
    inputs |= {"ambito": place["ambito"], "servizi_competenti": services}
    if example:
        msg = Message("{municipality} ({code}) belongs to the ambito territoriale {ambito}; competent services: "
                      "{services} (example network, neither complete nor official).", municipality=place["label"],
                      code=code, ambito=ambito["label"], services=", ".join(services.values()))
    else:
        msg = Message("{municipality} ({code}) belongs to the ambito territoriale {ambito}; competent services: "
                      "{services}.", municipality=place["label"], code=code, ambito=ambito["label"],
                      services=", ".join(services.values()))
    reason = from_entry(territory, network, RULE, msg, inputs, categories=(DataCategory.CONTACT,))
    return NetworkAssignment(municipality=code, ambito=place["ambito"], services=services, reason=reason)
