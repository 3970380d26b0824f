"""
Regenerate the shipped JSON Schemas built from the models (case, result, view) after a
model changes: ``python tools/schemas.py``. ``tests/test_schema.py`` fails until they match.
"""

from __future__ import annotations

import json
from pathlib import Path

from inclusione_core._schema import GENERATED, generate_schema

SCHEMAS = Path(__file__).resolve().parents[1] / "src" / "inclusione_core" / "schemas"


def main() -> None:
    for name in GENERATED:
        path = SCHEMAS / f"{name}.schema.json"
        path.write_text(json.dumps(generate_schema(name), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"written: {path}")


if __name__ == "__main__":
    main()
