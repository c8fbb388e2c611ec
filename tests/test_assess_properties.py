"""Whole-assessment properties over random valid cases: no crash, and the blocking invariants."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenaguard.assess import assess
from lenaguard.case import Case
from lenaguard.knowledge import default_knowledge
from lenaguard.vocab import Category, Indication, Severity, Symptom

AS_OF = dt.date(2026, 11, 20)
DOSES = [2.5, 5, 10, 15, 20, 25]
KB = default_knowledge()


def _day(days_before: int) -> str:
    return (AS_OF - dt.timedelta(days=days_before)).isoformat()


optional_bool = st.sampled_from([None, True, False])

lab_entries = st.one_of(
    st.builds(
        lambda v, d: {"test": "creatinine", "value": v, "unit": "mg/dL", "date": _day(d)},
        st.floats(0.3, 9),
        st.integers(0, 120),
    ),
    st.builds(
        lambda test, v, d: {"test": test, "value": v, "unit": "/uL", "date": _day(d)},
        st.sampled_from(["anc", "platelets", "wbc"]),
        st.integers(0, 400_000),
        st.integers(0, 120),
    ),
    st.builds(
        lambda v, d: {"test": "hemoglobin", "value": v, "unit": "g/dL", "date": _day(d)},
        st.floats(4, 17),
        st.integers(0, 200),
    ),
    st.builds(
        lambda test, r, d: {"test": test, "result": r, "date": _day(d)},
        st.sampled_from(["pregnancy", "hbsag", "anti_hbc", "anti_hbs", "serum_ife", "urine_ife"]),
        st.sampled_from(["negative", "positive"]),
        st.integers(0, 60),
    ),
    st.builds(
        lambda test, v, unit, d: {"test": test, "value": v, "unit": unit, "date": _day(d)},
        st.sampled_from(["kappa_flc", "lambda_flc", "iga", "igg", "igm", "alt"]),
        st.floats(0, 500),
        st.just("mg/dL"),
        st.integers(0, 300),
    ).map(lambda e: {**e, "unit": {"alt": "U/L"}.get(e["test"], e["unit"])}),
    st.builds(
        lambda v, d: {"test": "serum_m_protein", "value": v, "unit": "g/dL", "date": _day(d)},
        st.floats(0, 12),
        st.integers(0, 300),
    ),
    st.builds(
        lambda v, d: {"test": "urine_m_protein", "value": v, "unit": "mg/24h", "date": _day(d)},
        st.floats(0, 3000),
        st.integers(0, 300),
    ),
    st.builds(
        lambda v, d: {"test": "hbv_dna", "value": v, "unit": "IU/mL", "date": _day(d)},
        st.integers(0, 100_000),
        st.integers(0, 300),
    ),
)

medications = st.lists(
    st.sampled_from(
        [
            {"name": "dexamethasone", "mg_per_month": 480},
            {"name": "dexamethasone"},
            {"name": "aspirin", "dose_mg": 81},
            {"name": "Lovenox", "intensity": "prophylactic"},
            {"name": "warfarin"},
            {"name": "digoxin"},
            {"name": "clarithromycin"},
            {"name": "rifampin"},
            {"name": "epoetin alfa"},
            {"name": "ethinyl estradiol"},
            {"name": "lamivudine"},
            {"name": "entecavir"},
            {"name": "rituximab"},
            {"rxnorm": "11289"},
            {"name": "something unheard of"},
        ]
    ),
    max_size=5,
)


@st.composite
def timelines(draw):
    if draw(st.booleans()):
        return None
    start = draw(st.integers(0, 400))
    events = [{"date": _day(start), "event": "start", "dose_mg": draw(st.sampled_from(DOSES))}]
    state, day = "active", start
    for _ in range(draw(st.integers(0, 4))):
        day = draw(st.integers(0, day))
        if state == "active":
            kind = draw(st.sampled_from(["hold", "stop", "dose_change"]))
        elif state == "held":
            kind = draw(st.sampled_from(["resume", "stop"]))
        else:
            break
        event = {"date": _day(day), "event": kind}
        if kind == "hold":
            event["reason"] = draw(
                st.sampled_from(["neutropenia", "thrombocytopenia", "other_toxicity"])
            )
            state = "held"
        elif kind in ("resume", "dose_change"):
            event["dose_mg"] = draw(st.sampled_from(DOSES))
            state = "active"
        else:
            state = "stopped"
        events.append(event)
    therapy = {"events": events}
    if draw(st.booleans()):
        therapy["other_toxicity"] = {
            "grade": draw(st.integers(0, 4)),
            "kind": draw(
                st.sampled_from(["rash", "angioedema", "tumor_flare", "hepatotoxicity", "other"])
            ),
        }
    return therapy


@st.composite
def case_files(draw):
    """Random valid case files, as the parsed data of a file (lists in the file's order)."""
    sex = draw(st.sampled_from(["female", "male"]))
    patient = {
        "id": "p",
        "sex": sex,
        "age_years": draw(st.integers(18, 95)),
        "weight_kg": draw(st.floats(35, 180)),
        "height_cm": draw(st.floats(140, 205)),
        "on_dialysis": draw(st.booleans()),
    }
    if draw(st.booleans()):
        patient["ethnicity"] = draw(
            st.sampled_from(["asian_pacific_islander", "black", "white", "other"])
        )
    if sex == "female" and draw(st.booleans()):
        patient["reproductive"] = {
            "hysterectomy": draw(optional_bool),
            "bilateral_oophorectomy": draw(optional_bool),
            "months_since_last_menses": draw(st.one_of(st.none(), st.integers(0, 120))),
            "menses_regular": draw(optional_bool),
        }
    data = {
        "as_of": AS_OF.isoformat(),
        "indication": draw(st.sampled_from([i.value for i in Indication])),
        "patient": patient,
        "renal": {
            "weight_policy": draw(st.sampled_from(["actual", "ideal", "adjusted", "bmi_rule"]))
        },
        # one result per test and day: different untimed results on one date are refused
        "labs": draw(
            st.lists(lab_entries, max_size=12, unique_by=lambda e: (e["test"], e["date"]))
        ),
        "medications": draw(medications),
        "conditions": {
            name: draw(optional_bool)
            for name in (
                "vte_history",
                "central_line",
                "active_viral_infection",
                "pregnant",
                "autologous_hsct",
            )
        },
        "symptoms": draw(
            st.lists(st.sampled_from([s.value for s in Symptom]), max_size=3, unique=True)
        ),
        "transfusions": draw(
            st.lists(
                st.builds(
                    lambda d, kind, units: {"date": _day(d), "kind": kind, "units": units},
                    st.integers(0, 200),
                    st.sampled_from(["rbc", "platelets"]),
                    st.integers(1, 3),
                ),
                max_size=4,
            )
        ),
    }
    therapy = draw(timelines())
    if therapy is not None:
        data["therapy"] = therapy
    return data


def cases():
    """Random valid cases (validated case files)."""
    return case_files().map(lambda data: Case.from_data(data, default_knowledge()))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.booleans())
def test_any_valid_case_assesses_without_error(case, verified_only):
    result = assess(case, KB, verified_only=verified_only)
    result.to_json_dict()
    critical_pregnancy = [
        f
        for f in result.findings
        if f.category is Category.PREGNANCY and f.severity is Severity.CRITICAL
    ]
    if critical_pregnancy:
        assert not result.ready_to_prescribe
    assert result.ready_to_prescribe == (not result.blocking and result.dose is not None)
    if result.dose is not None and result.dose.dose_mg is not None:
        assert result.dose.dose_mg in DOSES
    if verified_only:  # unverified findings are left out, except those that block
        assert all(
            f.status.value != "unverified" or f.id in result.blocking for f in result.findings
        )
