"""
Prato (SdS Area Pratese) for inclusione_core.

Most rules are data, in ``territories/prato/territory.yaml`` (PUA -> CPI weekly booking,
CPI -> SSP with the scheda di esito, the EM "partecipata", the interventions with
enterprises, the instruments). The rules that need code live here, each citing the article
that describes the practice (:data:`DOCUMENT`, through the territory's documents registry):

* :func:`inclusione_validate_project`: the verbale di condivisione progettuale must be
  signed by all the parties involved;
* :func:`build_scheda_invio`: the scheda di invio filled from a case through the view of
  the receiving service (audited; special categories only with a basis or consent);
* :func:`build_elenco_nominativo`: the named agenda of an EM meeting, built from cases
  through the views of every service that receives it.
"""

from __future__ import annotations

from ._elenco import build_elenco_nominativo
from ._instruments import instrument_errors, instrument_path
from ._scheda_invio import build_scheda_invio
from ._signatures import inclusione_validate_project, missing_signatures, required_parties
from ._territory import DOCUMENT, TERRITORY, inclusione_register_territories, prato_dir

__all__ = [
    "DOCUMENT",
    "TERRITORY",
    "build_elenco_nominativo",
    "build_scheda_invio",
    "inclusione_register_territories",
    "inclusione_validate_project",
    "instrument_errors",
    "instrument_path",
    "missing_signatures",
    "prato_dir",
    "required_parties",
]
