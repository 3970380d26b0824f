"""Sample case data shared by the test modules."""

from __future__ import annotations

from typing import Any


def italia_case(**changes: Any) -> dict[str, Any]:
    """A valid case in the national layer: unemployed adult, addiction need, AdI since 2024."""
    case: dict[str, Any] = {
        "id": "c1",
        "territory": "italia",
        "opened_on": "2025-01-10",
        "household": {
            "id": "h1",
            "members": [{"id": "m1", "birth_date": "1980-05-01", "employment": "disoccupato"}],
            "isee": 5000,
        },
        "access": {"date": "2025-01-10", "point": "ssp"},
        "assessment": {
            "date": "2025-01-20",
            "levels": [{"dimension": "lavoro", "level": 2}, {"dimension": "abitare", "level": 3}],
            "needs": [{"code": "dipendenze"}],
        },
        "measures": [{"code": "adi", "valid_from": "2024-03-01"}],
    }
    case.update(changes)
    return case
