"""One case per dose-modification table row, driven through `assess` (the public entry point).

Expected actions and doses are written from the facts file §3; on a hold the checked dose is
the restart dose of the resume plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from lenaguard.assess import assess
from lenaguard.knowledge import default_knowledge
from tests.factories import lab, make_case


def ev(date: str, event: str, dose: float | None = None, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"date": date, "event": event, **extra}
    if dose is not None:
        entry["dose_mg"] = dose
    return entry


def cbc(platelets: float, anc: float, date: str = "2026-11-18") -> list[dict[str, Any]]:
    return [
        lab("platelets", platelets, "/uL", date=date),
        lab("anc", anc, "/uL", date=date),
        lab("creatinine", 1.0, "mg/dL", date=date),
    ]


START = "2026-10-01"
HOLD = "2026-11-01"


def held(start_dose: float, reason: str) -> list[dict[str, Any]]:
    return [ev(START, "start", start_dose), ev(HOLD, "hold", reason=reason)]


MDS_START = "2026-10-24"  # day 28 is the assessment date 2026-11-20
MDS_LATE = [ev("2026-08-01", "start", 10)]


def mds_labs(platelets, anc, baseline=(120_000, 2_000)):
    return [*cbc(*baseline, date="2026-10-23"), *cbc(platelets, anc)]


# (row, indication, events, labs, extra case fields, action, dose now or restart dose)
ROWS: list[tuple[str, str, list, list, dict, str, float | None]] = [
    # mm_combination, Table 1
    (
        "mm platelets <30,000 hold",
        "mm_combination",
        [ev(START, "start", 25)],
        cbc(29_999, 2_000),
        {},
        "hold",
        20,
    ),
    (
        "mm platelets 30,000 continue",
        "mm_combination",
        [ev(START, "start", 25)],
        cbc(30_000, 2_000),
        {},
        "continue",
        25,
    ),
    (
        "mm platelets recovered",
        "mm_combination",
        held(25, "thrombocytopenia"),
        cbc(30_000, 2_000),
        {},
        "resume",
        20,
    ),
    (
        "mm ANC <1,000 hold",
        "mm_combination",
        [ev(START, "start", 25)],
        cbc(150_000, 999),
        {"therapy": {"other_toxicity": {"grade": 0}}},
        "hold",
        25,
    ),
    (
        "mm ANC first fall only toxicity",
        "mm_combination",
        held(25, "neutropenia"),
        cbc(150_000, 1_000),
        {"therapy": {"other_toxicity": {"grade": 0}}},
        "resume",
        25,
    ),
    (
        "mm ANC first fall other toxicity",
        "mm_combination",
        held(25, "neutropenia"),
        cbc(150_000, 1_000),
        {"therapy": {"other_toxicity": {"grade": 2, "kind": "other"}}},
        "resume",
        20,
    ),
    (
        "mm ANC later fall",
        "mm_combination",
        [
            ev("2026-09-01", "start", 25),
            ev("2026-09-20", "hold", reason="neutropenia"),
            ev("2026-09-27", "resume", 25),
            ev(HOLD, "hold", reason="neutropenia"),
        ],
        cbc(150_000, 1_000),
        {"therapy": {"other_toxicity": {"grade": 0}}},
        "resume",
        20,
    ),
    (
        "mm floor 2.5 mg",
        "mm_combination",
        [ev(START, "start", 2.5)],
        cbc(10_000, 2_000),
        {},
        "hold",
        None,
    ),
    # mm_maintenance, Table 2
    (
        "maintenance ANC <500 hold",
        "mm_maintenance",
        [ev(START, "start", 10)],
        cbc(150_000, 499),
        {},
        "hold",
        5,
    ),
    (
        "maintenance ANC recovered",
        "mm_maintenance",
        held(10, "neutropenia"),
        cbc(150_000, 500),
        {},
        "resume",
        5,
    ),
    (
        "maintenance platelets <30,000 hold",
        "mm_maintenance",
        [ev(START, "start", 10)],
        cbc(29_999, 2_000),
        {},
        "hold",
        5,
    ),
    (
        "maintenance platelets recovered",
        "mm_maintenance",
        held(10, "thrombocytopenia"),
        cbc(30_000, 2_000),
        {},
        "resume",
        5,
    ),
    (
        "maintenance floor 5 mg days 1-21",
        "mm_maintenance",
        [ev(START, "start", 5, days_on=[1, 21])],
        cbc(150_000, 499),
        {},
        "hold",
        None,
    ),
    # mds_del5q, Tables 3-4
    (
        "mds platelets baseline >=100,000",
        "mds_del5q",
        [ev(MDS_START, "start", 10)],
        mds_labs(49_999, 2_000),
        {},
        "hold",
        5,
    ),
    (
        "mds platelets baseline <100,000 half",
        "mds_del5q",
        [ev(MDS_START, "start", 10)],
        mds_labs(40_000, 2_000, (80_000, 2_000)),
        {},
        "hold",
        5,
    ),
    (
        "mds platelets baseline <60,000 resume 30,000",
        "mds_del5q",
        [ev(MDS_START, "start", 10), ev("2026-11-10", "hold", reason="thrombocytopenia")],
        mds_labs(30_000, 2_000, (50_000, 2_000)),
        {},
        "resume",
        5,
    ),
    (
        "mds platelets after 4 weeks <30,000",
        "mds_del5q",
        MDS_LATE,
        cbc(29_999, 2_000),
        {},
        "hold",
        5,
    ),
    (
        "mds platelets after 4 weeks <50,000 + transfusion",
        "mds_del5q",
        MDS_LATE,
        cbc(49_999, 2_000),
        {"transfusions": [{"date": "2026-11-10", "kind": "platelets", "units": 1}]},
        "hold",
        5,
    ),
    (
        "mds ANC baseline >=1,000 <750",
        "mds_del5q",
        [ev(MDS_START, "start", 10)],
        mds_labs(150_000, 749, (150_000, 1_000)),
        {},
        "hold",
        5,
    ),
    (
        "mds ANC baseline <1,000 <500",
        "mds_del5q",
        [ev(MDS_START, "start", 10)],
        mds_labs(150_000, 499, (150_000, 999)),
        {},
        "hold",
        5,
    ),
    (
        "mds ANC after 4 weeks <500 with fever",
        "mds_del5q",
        MDS_LATE,
        cbc(150_000, 499),
        {"symptoms": ["fever"]},
        "hold",
        5,
    ),
    (
        "mds ANC after 4 weeks <500 for 7 days",
        "mds_del5q",
        MDS_LATE,
        [lab("anc", 400, "/uL", date="2026-11-11"), *cbc(150_000, 499)],
        {},
        "hold",
        5,
    ),
    (
        "mds on 5 mg restart 2.5 mg",
        "mds_del5q",
        [
            *MDS_LATE,
            ev("2026-09-01", "hold", reason="thrombocytopenia"),
            ev("2026-09-15", "resume", 5),
        ],
        cbc(29_999, 2_000),
        {},
        "hold",
        2.5,
    ),
    # mcl §2.3, fl / mzl §2.4
    ("mcl platelets <50,000", "mcl", [ev(START, "start", 25)], cbc(49_999, 2_000), {}, "hold", 20),
    ("mcl ANC <500", "mcl", [ev(START, "start", 25)], cbc(150_000, 499), {}, "hold", 20),
    (
        "mcl ANC <1,000 fever",
        "mcl",
        [ev(START, "start", 25)],
        cbc(150_000, 999),
        {"symptoms": ["fever"]},
        "hold",
        20,
    ),
    ("mcl ANC recovered", "mcl", held(25, "neutropenia"), cbc(150_000, 1_000), {}, "resume", 20),
    ("mcl floor 5 mg", "mcl", [ev(START, "start", 5)], cbc(49_999, 2_000), {}, "hold", None),
    ("fl platelets <50,000", "fl", [ev(START, "start", 20)], cbc(49_999, 2_000), {}, "hold", 15),
    (
        "fl renal start 10 mg steps to 5",
        "fl",
        [ev(START, "start", 10)],
        cbc(49_999, 2_000),
        {},
        "hold",
        5,
    ),
    (
        "fl 12 cycles complete",
        "fl",
        [ev("2025-12-19", "start", 20)],
        cbc(150_000, 2_000),
        {},
        "stop",
        None,
    ),
    (
        "mzl ANC <1,000 for 7 days",
        "mzl",
        [ev(START, "start", 20)],
        [lab("anc", 900, "/uL", date="2026-11-11"), *cbc(150_000, 999)],
        {},
        "hold",
        15,
    ),
    (
        "mzl platelets recovered",
        "mzl",
        held(20, "thrombocytopenia"),
        cbc(50_000, 2_000),
        {},
        "resume",
        15,
    ),
    # other toxicity §2.5, §4, §5
    (
        "other grade 3 hold",
        "mm_combination",
        [ev(START, "start", 25)],
        cbc(150_000, 2_000),
        {"therapy": {"other_toxicity": {"grade": 3, "kind": "other"}}},
        "hold",
        20,
    ),
    (
        "other grade 2 restart",
        "mm_combination",
        held(25, "other_toxicity"),
        cbc(150_000, 2_000),
        {"therapy": {"other_toxicity": {"grade": 2, "kind": "other"}}},
        "resume",
        20,
    ),
    (
        "grade 4 rash stop",
        "mm_combination",
        [ev(START, "start", 25)],
        cbc(150_000, 2_000),
        {"therapy": {"other_toxicity": {"grade": 4, "kind": "rash"}}},
        "stop",
        None,
    ),
    (
        "angioedema stop",
        "mm_combination",
        [ev(START, "start", 25)],
        cbc(150_000, 2_000),
        {"therapy": {"other_toxicity": {"grade": 2, "kind": "angioedema"}}},
        "stop",
        None,
    ),
    (
        "hypersensitivity contraindication",
        "mm_combination",
        [ev(START, "start", 25)],
        cbc(150_000, 2_000),
        {"conditions": {"lenalidomide_hypersensitivity": True}},
        "stop",
        None,
    ),
    (
        "tumor flare grade 3 hold",
        "mcl",
        [ev(START, "start", 25)],
        cbc(150_000, 2_000),
        {"therapy": {"other_toxicity": {"grade": 3, "kind": "tumor_flare"}}},
        "hold",
        20,
    ),
    (
        "tumor flare grade 2 continue",
        "fl",
        [ev(START, "start", 20)],
        cbc(150_000, 2_000),
        {"therapy": {"other_toxicity": {"grade": 2, "kind": "tumor_flare"}}},
        "continue",
        20,
    ),
    (
        "hepatotoxicity hold",
        "mm_combination",
        [ev(START, "start", 25)],
        cbc(150_000, 2_000),
        {"therapy": {"other_toxicity": {"grade": 1, "kind": "hepatotoxicity"}}},
        "hold",
        20,
    ),
]

# The other side of each threshold, the later falls, renal starts, every-48-hour courses and
# the remaining other-toxicity rows (facts §2–§3). Same shape as ROWS.
LATE_PLT = [
    ev("2026-09-01", "start", 25),
    ev("2026-09-20", "hold", reason="thrombocytopenia"),
    ev("2026-09-27", "resume", 20),
]
MDS_HELD_EARLY = [ev(MDS_START, "start", 10), ev("2026-11-10", "hold", reason="thrombocytopenia")]
MDS_HELD_EARLY_ANC = [ev(MDS_START, "start", 10), ev("2026-11-10", "hold", reason="neutropenia")]
MDS_HELD_LATE = [*MDS_LATE, ev("2026-11-10", "hold", reason="thrombocytopenia")]
MDS_HELD_LATE_ANC = [*MDS_LATE, ev("2026-11-10", "hold", reason="neutropenia")]
RENAL_MODERATE = [lab("creatinine", 1.9, "mg/dL", date="2026-09-28")]  # CrCl ≈ 44 mL/min
Q48 = {"frequency": "every_48h"}


def mds_day(day: int) -> str:
    """The start date that makes the 2026-11-18 blood count fall on treatment day `day`."""
    return (dt.date(2026, 11, 18) - dt.timedelta(days=day - 1)).isoformat()


MORE_ROWS: list[tuple[str, str, list, list, dict, str, float | None]] = [
    # mm_combination, Table 1
    (
        "mm platelets 29,999 stays held",
        "mm_combination",
        held(25, "thrombocytopenia"),
        cbc(29_999, 2_000),
        {},
        "hold",
        20,
    ),
    ("mm platelets later fall", "mm_combination", LATE_PLT, cbc(29_999, 2_000), {}, "hold", 15),
    (
        "mm ANC 1,000 continue",
        "mm_combination",
        [ev(START, "start", 25)],
        cbc(150_000, 1_000),
        {},
        "continue",
        25,
    ),
    (
        "mm ANC 999 stays held",
        "mm_combination",
        held(25, "neutropenia"),
        cbc(150_000, 999),
        {"therapy": {"other_toxicity": {"grade": 0}}},
        "hold",
        25,
    ),
    (
        "mm ANC first fall, renal 10 mg start",
        "mm_combination",
        held(10, "neutropenia"),
        [*cbc(150_000, 1_000), *RENAL_MODERATE],
        {"therapy": {"other_toxicity": {"grade": 0}}},
        "resume",
        10,
    ),
    (
        "mm ANC fell in a platelet hold, then neutropenia = later fall",
        "mm_combination",
        [*LATE_PLT, ev("2026-11-10", "hold", reason="neutropenia")],
        [*cbc(25_000, 800, date="2026-09-22"), *cbc(150_000, 1_000)],
        {"therapy": {"other_toxicity": {"grade": 0}}},
        "resume",
        15,
    ),
    (
        "mm 15 mg every 48 h steps to 10 mg every 48 h",
        "mm_combination",
        [ev(START, "start", 15, **Q48)],
        cbc(29_999, 2_000),
        {},
        "hold",
        10,
    ),
    (
        "mm 5 mg every 48 h is at the 2.5 mg daily floor",
        "mm_combination",
        [ev(START, "start", 5, **Q48)],
        cbc(29_999, 2_000),
        {},
        "hold",
        None,
    ),
    # mm_maintenance, Table 2
    (
        "maintenance ANC 500 no change",
        "mm_maintenance",
        [ev(START, "start", 10)],
        cbc(150_000, 500),
        {},
        "continue",
        10,
    ),
    (
        "maintenance ANC 499 stays held",
        "mm_maintenance",
        held(10, "neutropenia"),
        cbc(150_000, 499),
        {},
        "hold",
        5,
    ),
    (
        "maintenance platelets 30,000 continue",
        "mm_maintenance",
        [ev(START, "start", 10)],
        cbc(30_000, 2_000),
        {},
        "continue",
        10,
    ),
    (
        "maintenance platelets 29,999 stays held",
        "mm_maintenance",
        held(10, "thrombocytopenia"),
        cbc(29_999, 2_000),
        {},
        "hold",
        5,
    ),
    (
        "maintenance escalated 15 mg steps to 10",
        "mm_maintenance",
        [ev("2026-06-01", "start", 10), ev("2026-08-24", "dose_change", 15)],
        cbc(150_000, 499),
        {},
        "hold",
        10,
    ),
    # mds_del5q, Tables 3-4: first 4 weeks (day 28 within, day 29 after)
    (
        "mds day 28 baseline >=100,000: 49,999 holds",
        "mds_del5q",
        [ev(mds_day(28), "start", 10)],
        [*cbc(120_000, 2_000, date="2026-10-01"), *cbc(49_999, 2_000)],
        {},
        "hold",
        5,
    ),
    (
        "mds day 29 (later row): 49,999 continues",
        "mds_del5q",
        [ev(mds_day(29), "start", 10)],
        [*cbc(120_000, 2_000, date="2026-10-01"), *cbc(49_999, 2_000)],
        {},
        "continue",
        10,
    ),
    (
        "mds baseline >=100,000: 50,000 continues",
        "mds_del5q",
        [ev(MDS_START, "start", 10)],
        mds_labs(50_000, 2_000),
        {},
        "continue",
        10,
    ),
    (
        "mds baseline >=100,000 held: resume at 50,000",
        "mds_del5q",
        MDS_HELD_EARLY,
        mds_labs(50_000, 2_000),
        {},
        "resume",
        5,
    ),
    (
        "mds baseline >=100,000 held: 49,999 stays held",
        "mds_del5q",
        MDS_HELD_EARLY,
        mds_labs(49_999, 2_000),
        {},
        "hold",
        5,
    ),
    (
        "mds baseline 80,000: 40,001 (above half) continues",
        "mds_del5q",
        [ev(MDS_START, "start", 10)],
        mds_labs(40_001, 2_000, (80_000, 2_000)),
        {},
        "continue",
        10,
    ),
    (
        "mds baseline 80,000 held: resume at 50,000",
        "mds_del5q",
        MDS_HELD_EARLY,
        mds_labs(50_000, 2_000, (80_000, 2_000)),
        {},
        "resume",
        5,
    ),
    (
        "mds baseline 80,000 held: 49,999 stays held",
        "mds_del5q",
        MDS_HELD_EARLY,
        mds_labs(49_999, 2_000, (80_000, 2_000)),
        {},
        "hold",
        5,
    ),
    (
        "mds baseline 50,000 held: 29,999 stays held",
        "mds_del5q",
        MDS_HELD_EARLY,
        mds_labs(29_999, 2_000, (50_000, 2_000)),
        {},
        "hold",
        5,
    ),
    (
        "mds after 4 weeks 30,000 continues",
        "mds_del5q",
        MDS_LATE,
        cbc(30_000, 2_000),
        {},
        "continue",
        10,
    ),
    (
        "mds after 4 weeks 49,999 without transfusion continues",
        "mds_del5q",
        MDS_LATE,
        cbc(49_999, 2_000),
        {},
        "continue",
        10,
    ),
    (
        "mds after 4 weeks held: resume at 30,000",
        "mds_del5q",
        MDS_HELD_LATE,
        cbc(30_000, 2_000),
        {},
        "resume",
        5,
    ),
    (
        "mds after 4 weeks held: 30,000 with bleeding stays held",
        "mds_del5q",
        MDS_HELD_LATE,
        cbc(30_000, 2_000),
        {"symptoms": ["bleeding"]},
        "hold",
        5,
    ),
    (
        "mds ANC baseline >=1,000: 750 continues",
        "mds_del5q",
        [ev(MDS_START, "start", 10)],
        mds_labs(150_000, 750, (150_000, 1_000)),
        {},
        "continue",
        10,
    ),
    (
        "mds ANC baseline >=1,000 held: resume at 1,000",
        "mds_del5q",
        MDS_HELD_EARLY_ANC,
        mds_labs(150_000, 1_000, (150_000, 1_000)),
        {},
        "resume",
        5,
    ),
    (
        "mds ANC baseline >=1,000 held: 999 stays held",
        "mds_del5q",
        MDS_HELD_EARLY_ANC,
        mds_labs(150_000, 999, (150_000, 1_000)),
        {},
        "hold",
        5,
    ),
    (
        "mds ANC baseline <1,000 held: resume at 500",
        "mds_del5q",
        MDS_HELD_EARLY_ANC,
        mds_labs(150_000, 500, (150_000, 999)),
        {},
        "resume",
        5,
    ),
    (
        "mds ANC after 4 weeks held: resume at 500",
        "mds_del5q",
        MDS_HELD_LATE_ANC,
        cbc(150_000, 500),
        {},
        "resume",
        5,
    ),
    (
        # The MDS table itself continues at 500 with fever (its trigger is < 500 with fever),
        # but fever with a low count is a blocking symptom finding: one decision, held until
        # the fever is evaluated, to restart at the same dose.
        "mds ANC after 4 weeks 500 with fever is held by the fever finding",
        "mds_del5q",
        MDS_LATE,
        cbc(150_000, 500),
        {"symptoms": ["fever"]},
        "hold",
        10,
    ),
    # mcl §2.3
    (
        "mcl platelets 50,000 continue",
        "mcl",
        [ev(START, "start", 25)],
        cbc(50_000, 2_000),
        {},
        "continue",
        25,
    ),
    (
        "mcl platelets held 49,999 stays held",
        "mcl",
        held(25, "thrombocytopenia"),
        cbc(49_999, 2_000),
        {},
        "hold",
        20,
    ),
    (
        "mcl ANC <1,000 for 7 days",
        "mcl",
        [ev(START, "start", 25)],
        [lab("anc", 900, "/uL", date="2026-11-11"), *cbc(150_000, 999)],
        {},
        "hold",
        20,
    ),
    (
        "mcl ANC <1,000 for 6 days continues",
        "mcl",
        [ev(START, "start", 25)],
        [lab("anc", 900, "/uL", date="2026-11-12"), *cbc(150_000, 999)],
        {},
        "continue",
        25,
    ),
    (
        "mcl ANC 500 without fever continues",
        "mcl",
        [ev(START, "start", 25)],
        cbc(150_000, 500),
        {},
        "continue",
        25,
    ),
    (
        "mcl ANC held 999 stays held",
        "mcl",
        held(25, "neutropenia"),
        cbc(150_000, 999),
        {},
        "hold",
        20,
    ),
    (
        "mcl 10 mg every 48 h is at the 5 mg daily floor",
        "mcl",
        [ev(START, "start", 10, **Q48)],
        cbc(49_999, 2_000),
        {},
        "hold",
        None,
    ),
    # fl / mzl §2.4
    ("fl ANC <500", "fl", [ev(START, "start", 20)], cbc(150_000, 499), {}, "hold", 15),
    (
        "fl ANC <1,000 with fever",
        "fl",
        [ev(START, "start", 20)],
        cbc(150_000, 999),
        {"symptoms": ["fever"]},
        "hold",
        15,
    ),
    (
        "fl platelets 50,000 continue",
        "fl",
        [ev(START, "start", 20)],
        cbc(50_000, 2_000),
        {},
        "continue",
        20,
    ),
    (
        "fl floor 5 mg from a 20 mg start",
        "fl",
        [ev("2026-08-01", "start", 20), ev("2026-09-01", "dose_change", 5)],
        cbc(49_999, 2_000),
        {},
        "hold",
        None,
    ),
    (
        "fl renal 10 mg start: 5 mg steps to 2.5",
        "fl",
        [ev("2026-08-01", "start", 10), ev("2026-09-01", "dose_change", 5)],
        [*cbc(49_999, 2_000), *RENAL_MODERATE],
        {},
        "hold",
        2.5,
    ),
    (
        "fl renal 10 mg start: 2.5 mg is the floor",
        "fl",
        [ev("2026-08-01", "start", 10), ev("2026-09-01", "dose_change", 2.5)],
        [*cbc(49_999, 2_000), *RENAL_MODERATE],
        {},
        "hold",
        None,
    ),
    (
        "fl 11 cycles: continue in cycle 12",
        "fl",
        [ev("2025-12-20", "start", 20)],
        cbc(150_000, 2_000),
        {},
        "continue",
        20,
    ),
    (
        "mzl 12 cycles complete",
        "mzl",
        [ev("2025-12-19", "start", 20)],
        cbc(150_000, 2_000),
        {},
        "stop",
        None,
    ),
    (
        "mzl renal 10 mg start steps to 5",
        "mzl",
        [ev(START, "start", 10)],
        [*cbc(49_999, 2_000), *RENAL_MODERATE],
        {},
        "hold",
        5,
    ),
    (
        "mzl ANC <1,000 for 6 days continues",
        "mzl",
        [ev(START, "start", 20)],
        [lab("anc", 900, "/uL", date="2026-11-12"), *cbc(150_000, 999)],
        {},
        "continue",
        20,
    ),
    # other toxicity §2.5, §4, §5
    (
        "other grade 2 active continues",
        "mm_combination",
        [ev(START, "start", 25)],
        cbc(150_000, 2_000),
        {"therapy": {"other_toxicity": {"grade": 2, "kind": "other"}}},
        "continue",
        25,
    ),
    (
        "other grade 3 held stays held",
        "mm_combination",
        held(25, "other_toxicity"),
        cbc(150_000, 2_000),
        {"therapy": {"other_toxicity": {"grade": 3, "kind": "other"}}},
        "hold",
        20,
    ),
    (
        "other grade 4 hold",
        "mcl",
        [ev(START, "start", 25)],
        cbc(150_000, 2_000),
        {"therapy": {"other_toxicity": {"grade": 4, "kind": "other"}}},
        "hold",
        20,
    ),
    (
        "rash grade 3 hold",
        "mm_combination",
        [ev(START, "start", 25)],
        cbc(150_000, 2_000),
        {"therapy": {"other_toxicity": {"grade": 3, "kind": "rash"}}},
        "hold",
        20,
    ),
    *[
        (
            f"{kind} grade {grade} stop",
            "mm_combination",
            [ev(START, "start", 25)],
            cbc(150_000, 2_000),
            {"therapy": {"other_toxicity": {"grade": grade, "kind": kind}}},
            "stop",
            None,
        )
        for kind, grade in [
            ("anaphylaxis", 1),
            ("exfoliative_rash", 1),
            ("bullous_rash", 2),
            ("sjs", 0),
            ("ten", 2),
            ("dress", 1),
            ("angioedema", 0),
        ]
    ],
    (
        "prior grade 4 rash on thalidomide",
        "mm_combination",
        [ev(START, "start", 25)],
        cbc(150_000, 2_000),
        {"conditions": {"prior_thalidomide_grade4_rash": True}},
        "continue",  # a §5.9 warning for the prescriber to decide, not a contraindication
        25,
    ),
    (
        "blistering skin holds, prescriber decides",
        "mm_combination",
        [ev(START, "start", 25)],
        cbc(150_000, 2_000),
        {"symptoms": ["blistering_rash"]},
        "hold",
        None,
    ),
    (
        "tumor flare held grade 2 stays held",
        "fl",
        held(20, "other_toxicity"),
        cbc(150_000, 2_000),
        {"therapy": {"other_toxicity": {"grade": 2, "kind": "tumor_flare"}}},
        "hold",
        15,
    ),
    (
        "tumor flare held grade 1 resumes",
        "mzl",
        held(20, "other_toxicity"),
        cbc(150_000, 2_000),
        {"therapy": {"other_toxicity": {"grade": 1, "kind": "tumor_flare"}}},
        "resume",
        15,
    ),
    (
        "tumor flare in MM follows the general rule",
        "mm_combination",
        held(25, "other_toxicity"),
        cbc(150_000, 2_000),
        {"therapy": {"other_toxicity": {"grade": 2, "kind": "tumor_flare"}}},
        "resume",
        20,
    ),
    (
        "hepatotoxicity held grade 1 stays held",
        "mm_combination",
        held(25, "other_toxicity"),
        cbc(150_000, 2_000),
        {"therapy": {"other_toxicity": {"grade": 1, "kind": "hepatotoxicity"}}},
        "hold",
        20,
    ),
    (
        "hepatotoxicity held grade 0 resumes lower",
        "mm_combination",
        held(25, "other_toxicity"),
        cbc(150_000, 2_000),
        {"therapy": {"other_toxicity": {"grade": 0, "kind": "hepatotoxicity"}}},
        "resume",
        20,
    ),
]
ALL_ROWS = ROWS + MORE_ROWS


@pytest.mark.parametrize(
    ("indication", "events", "labs", "extra", "action", "dose"),
    [row[1:] for row in ALL_ROWS],
    ids=[row[0] for row in ALL_ROWS],
)
def test_table_row_through_assess(indication, events, labs, extra, action, dose):
    extra = dict(extra)
    therapy = {"events": events, **extra.pop("therapy", {})}
    case = make_case(indication=indication, therapy=therapy, labs=labs, **extra)
    plan = assess(case, default_knowledge()).dose
    assert plan is not None
    assert plan.action.value == action
    if action == "hold":
        assert plan.dose_mg is None
        assert plan.resume is not None and plan.resume.dose_mg == dose
    else:
        assert plan.dose_mg == dose
