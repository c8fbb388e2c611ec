"""Write the golden JSON of every bundled example (run by hand after a reviewed change).

    python -m tests.golden.regenerate

The golden files pin every clinical result of the examples; `tests/test_golden.py` compares
the assessment of each example with its file. Regenerate only when a change of a clinical
result is intended, and review the diff like any other change of the rules.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).resolve().parent
TODAY = dt.date(2026, 11, 20)


def assessment_json(path: Path) -> dict:
    from lenaguard.assess import assess
    from lenaguard.caseio import load_case
    from lenaguard.knowledge import default_knowledge

    return assess(load_case(path, today=TODAY), default_knowledge()).to_json_dict()


def main() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        data = assessment_json(path)
        # The versions change with every release and knowledge edit; the comparison skips them.
        data = {
            k: v for k, v in data.items() if k not in ("lenaguard_version", "knowledge_version")
        }
        (GOLDEN / f"{path.stem}.json").write_text(
            json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        )


if __name__ == "__main__":
    main()
