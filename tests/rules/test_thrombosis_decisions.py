"""Thrombosis decisions pinned exactly (issue 7): how dexamethasone enters the VTE scores (not
listed, listed without a dose, several entries summed, the SAVED standard-dose floor at 120 mg
per month) and the two findings that ask for it; which level of a variable counts when two are
present or unknown (IMPEDE VTE existing thromboprophylaxis: therapeutic LMWH or warfarin -4,
prophylactic LMWH or aspirin -3, one level counts); another immunomodulatory drug listed; the
IMWG factors and missing inputs in words; the no-prophylaxis warning and the pauses (course
ended, thrombocytopenia hold, low platelets) whole.

Written against the mutants that survived `python benchmarks/mutation.py thrombosis` (see
docs/mutation.md). Expected values from the facts file §7 and the score sources: high dose is
above 160 mg per month; SAVED's standard dose is 120–160 mg per month and below 120 mg gives no
points. Score and indication names are read from the knowledge.
"""

from __future__ import annotations

from lenaguard.vocab import Severity
from tests.factories import lab
from tests.rules.test_thrombosis import ALL_FALSE, dex, finding, item, quiet, run

DEX_ITEMS = (
    ("impede_vte", "dexamethasone_high"),
    ("impede_vte", "dexamethasone_low"),
    ("saved", "dexamethasone_high"),
    ("saved", "dexamethasone_standard"),
)


def dex_items(outcome) -> list[tuple[bool | None, str]]:
    """(present, basis) of the four dexamethasone items, IMPEDE VTE then SAVED."""
    found = []
    for score, item_id in DEX_ITEMS:
        entry = next(i for i in outcome.scores[score].items if i.id == item_id)
        found.append((entry.present, entry.basis))
    return found


def dex_findings(outcome) -> list[str]:
    return [f.id for f in outcome.findings if f.id.startswith("thrombosis.dexamethasone")]


def test_dexamethasone_expected_but_not_listed_counts_as_not_given_and_says_so():
    outcome = run(quiet(indication="mm_combination", medications=[]))
    basis = (
        "no dexamethasone listed (the indication is labelled with dexamethasone: check the "
        "medication list)"
    )
    assert dex_items(outcome) == [(False, basis)] * 4
    assert dex_findings(outcome) == ["thrombosis.dexamethasone_not_listed"]
    found = finding(outcome, "thrombosis.dexamethasone_not_listed")
    assert (found.severity, found.blocking) == (Severity.WARNING, False)
    assert found.summary == (
        "No dexamethasone listed, though this indication is labelled with it; the VTE scores "
        "count it as not given."
    )
    assert found.detail == (
        "Multiple myeloma, with dexamethasone: the label regimen includes dexamethasone. The "
        "case lists none, so IMPEDE VTE, SAVED and the IMWG high-dose factor count no "
        "dexamethasone and may understate the risk. If the patient takes it, add it with "
        "mg_per_month (high dose is above 160 mg per month)."
    )
    assert found.inputs == {"indication": "mm_combination"}
    assert [(c.source, c.section) for c in found.citations] == [
        ("uspi", "§1.1, §2.1"),
        ("impede_vte_2019", "IMPEDE VTE score: dexamethasone item (high vs low dose)"),
        ("saved_2019", "SAVED score: dexamethasone item (high vs standard dose)"),
    ]


def test_no_dexamethasone_in_maintenance_is_simply_not_given():
    outcome = run(quiet(medications=[]))
    assert dex_items(outcome) == [(False, "no dexamethasone listed")] * 4
    assert dex_findings(outcome) == []


def test_dexamethasone_without_a_dose_leaves_the_items_unknown_and_asks_for_the_dose():
    outcome = run(quiet(medications=[dex(None)]))
    assert (
        dex_items(outcome)
        == [(None, "dexamethasone listed without mg_per_month: dose level unknown")] * 4
    )
    assert outcome.scores["impede_vte"].unknown_items == ["dexamethasone_high", "dexamethasone_low"]
    assert dex_findings(outcome) == ["thrombosis.dexamethasone_dose_missing"]
    found = finding(outcome, "thrombosis.dexamethasone_dose_missing")
    assert (found.severity, found.blocking) == (Severity.WARNING, False)
    assert found.summary == (
        "Dexamethasone listed without mg_per_month: the VTE scores need its dose."
    )
    assert found.detail == (
        "dexamethasone: give the monthly total as mg_per_month (see the case-file definition). "
        "Above 160 mg per month counts as high dose in IMPEDE VTE and SAVED and as a "
        "therapy-related factor in the IMWG model; at or below it, as low (standard) dose. Until "
        "then the dexamethasone items are unknown."
    )
    assert found.inputs == {"medications": ["dexamethasone"]}
    assert [(c.source, c.section) for c in found.citations] == [
        ("impede_vte_2019", "IMPEDE VTE score: dexamethasone item (high vs low dose)"),
        ("saved_2019", "SAVED score: dexamethasone item (high vs standard dose)"),
    ]


def test_several_dexamethasone_entries_are_summed():
    outcome = run(quiet(medications=[dex(60), dex(60)]))
    basis = "dexamethasone 120 mg per month (sum of the listed entries)"
    assert dex_items(outcome) == [(False, basis), (True, basis), (False, basis), (True, basis)]
    assert dex_findings(outcome) == []


def test_the_saved_standard_dose_starts_at_120_mg_a_month():
    at = run(quiet(medications=[dex(120)]))
    basis = "dexamethasone 120 mg per month"
    assert dex_items(at) == [(False, basis), (True, basis), (False, basis), (True, basis)]
    below = run(quiet(medications=[dex(119)]))
    words = "dexamethasone 119 mg per month"
    assert dex_items(below) == [
        (False, words),
        (True, words),
        (False, words),
        (False, f"{words}; below 120 mg this score gives no dexamethasone points"),
    ]


# --- one level per variable: which item of a group counts ------------------------------------
#
# Facts file §7: IMPEDE VTE existing thromboprophylaxis is one variable, therapeutic LMWH or
# warfarin −4, prophylactic LMWH or aspirin −3; one level counts (the larger in size).

PROPHYLAXIS_ITEMS = ("therapeutic_lmwh_or_warfarin", "prophylactic_lmwh_or_aspirin")
THERAPEUTIC_COUNTS = (
    "not counted: Existing therapeutic LMWH or warfarin counts (one level per variable)"
)


def prophylaxis_items(outcome) -> list[tuple[bool | None, str]]:
    """(present, basis) of IMPEDE VTE's two existing-thromboprophylaxis items."""
    return [
        (item(outcome, "impede_vte", item_id).present, item(outcome, "impede_vte", item_id).basis)
        for item_id in PROPHYLAXIS_ITEMS
    ]


def test_warfarin_and_aspirin_both_listed_count_the_therapeutic_level_only():
    outcome = run(quiet(medications=[{"name": "warfarin"}, {"name": "aspirin"}]))
    assert prophylaxis_items(outcome) == [
        (True, "listed: warfarin"),
        (False, f"listed: aspirin; {THERAPEUTIC_COUNTS}"),
    ]
    impede = outcome.scores["impede_vte"]
    assert (impede.points, impede.possible_points, impede.unknown_items) == (0, (0, 0), [])
    assert impede.points_before_prophylaxis == 4


def test_a_known_level_makes_a_smaller_unknown_level_not_counted():
    # Warfarin counts −4 whatever the intensity; enoxaparin without its intensity could only be
    # the −3 level or the same −4 level: it cannot change the score, so it is not asked for.
    outcome = run(quiet(medications=[{"name": "warfarin"}, {"name": "enoxaparin"}]))
    assert prophylaxis_items(outcome) == [
        (True, "listed: warfarin"),
        (
            False,
            "enoxaparin listed without its intensity (prophylactic or therapeutic); "
            f"{THERAPEUTIC_COUNTS}",
        ),
    ]
    impede = outcome.scores["impede_vte"]
    assert (impede.points, impede.possible_points, impede.unknown_items) == (0, (0, 0), [])
    assert "thrombosis.inputs_unknown" not in [f.id for f in outcome.findings]


def test_a_known_level_leaves_a_larger_unknown_level_unknown():
    # Aspirin counts −3; enoxaparin without its intensity may be therapeutic (−4): the score is
    # 1 now and could be 0.
    outcome = run(quiet(medications=[{"name": "aspirin"}, {"name": "enoxaparin"}]))
    assert prophylaxis_items(outcome) == [
        (None, "enoxaparin listed without its intensity (prophylactic or therapeutic)"),
        (True, "listed: aspirin"),
    ]
    impede = outcome.scores["impede_vte"]
    assert (impede.points, impede.possible_points) == (1, (0, 1))
    assert impede.unknown_items == ["therapeutic_lmwh_or_warfarin"]
    assert finding(outcome, "thrombosis.inputs_unknown").inputs == {
        "needed": ["medications[].intensity"]
    }


def test_an_lmwh_without_intensity_asks_for_it_and_may_lower_the_score_by_3_or_4():
    outcome = run(quiet(medications=[{"name": "enoxaparin"}]))
    unknown = "enoxaparin listed without its intensity (prophylactic or therapeutic)"
    assert prophylaxis_items(outcome) == [(None, unknown), (None, unknown)]
    impede = outcome.scores["impede_vte"]
    assert (impede.points, impede.possible_points) == (4, (0, 1))
    found = finding(outcome, "thrombosis.inputs_unknown")
    assert (found.severity, found.inputs) == (
        Severity.INFO,
        {"needed": ["medications[].intensity"]},
    )
    assert found.summary == (
        "VTE risk inputs missing (1): they do not change the prophylaxis choice."
    )
    assert found.detail == (
        "Not recorded: medications[].intensity. Unknown items are not counted as absent: the "
        "scores add only what is known and show the range the missing inputs allow. IMPEDE VTE: "
        "therapeutic_lmwh_or_warfarin (medications[].intensity), prophylactic_lmwh_or_aspirin "
        "(medications[].intensity). Known items give 4 points; with the missing inputs 0 to 1 "
        "(low). They do not change the prophylaxis choice."
    )


def test_an_lmwh_at_the_other_intensity_does_not_count_and_is_not_unknown():
    prophylactic = run(quiet(medications=[{"name": "enoxaparin", "intensity": "prophylactic"}]))
    assert prophylaxis_items(prophylactic) == [
        (
            False,
            "enoxaparin listed, not at therapeutic intensity; none listed (warfarin (vitamin K "
            "antagonist))",
        ),
        (True, "listed at prophylactic intensity: enoxaparin"),
    ]
    impede = prophylactic.scores["impede_vte"]
    assert (impede.points, impede.possible_points, impede.unknown_items) == (1, (1, 1), [])


def test_both_parts_of_an_item_listed_are_both_named():
    outcome = run(
        quiet(
            medications=[{"name": "enoxaparin", "intensity": "therapeutic"}, {"name": "warfarin"}]
        )
    )
    assert prophylaxis_items(outcome) == [
        (True, "listed at therapeutic intensity: enoxaparin; listed: warfarin"),
        (
            False,
            "enoxaparin listed, not at prophylactic intensity; none listed (aspirin)",
        ),
    ]


def test_an_anticoagulant_the_score_does_not_name_is_said_on_every_item_it_could_have_lowered():
    note = (
        "apixaban: not counted: the score's prophylaxis item names LMWH, warfarin and aspirin "
        "only, so this anticoagulant lowers no points and the score may overstate the risk on it"
    )
    outcome = run(quiet(medications=[{"name": "apixaban"}]))
    assert prophylaxis_items(outcome) == [
        (
            False,
            "none listed (low-molecular-weight heparins); none listed (warfarin (vitamin K "
            f"antagonist)); {note}",
        ),
        (False, f"none listed (low-molecular-weight heparins); none listed (aspirin); {note}"),
    ]
    assert outcome.scores["impede_vte"].points == 4
    # Next to a counted level the note goes only on the items that do not count.
    with_aspirin = run(quiet(medications=[{"name": "apixaban"}, {"name": "aspirin"}]))
    assert prophylaxis_items(with_aspirin) == [
        (
            False,
            "none listed (low-molecular-weight heparins); none listed (warfarin (vitamin K "
            f"antagonist)); {note}",
        ),
        (True, "listed: aspirin"),
    ]


# --- the immunomodulatory drug item -----------------------------------------------------------


def test_another_immunomodulatory_drug_listed_is_named_and_lenalidomide_itself_is_not():
    basis = "lenalidomide, the drug assessed, is an immunomodulatory drug"
    alone = run(quiet(medications=[{"name": "Revlimid"}]))
    assert item(alone, "impede_vte", "immunomodulatory_drug").basis == basis
    others = run(quiet(medications=[{"name": "thalidomide"}, {"name": "pomalidomide"}]))
    entry = item(others, "impede_vte", "immunomodulatory_drug")
    assert (entry.present, entry.points) == (True, 4)
    assert entry.basis == f"{basis}; also listed: pomalidomide, thalidomide"
    # The item counts once, whatever the number of immunomodulatory drugs.
    assert others.scores["impede_vte"].points == 4
    with_itself = run(quiet(medications=[{"name": "Revlimid"}, {"name": "pomalidomide"}]))
    assert (
        item(with_itself, "impede_vte", "immunomodulatory_drug").basis
        == f"{basis}; also listed: pomalidomide"
    )


# --- the IMWG 2008 factors in words -----------------------------------------------------------


def imwg_factor(outcome, factor_id: str) -> tuple[bool | None, str]:
    factors = [*outcome.imwg.individual, *outcome.imwg.myeloma, *outcome.imwg.therapy]
    found = next(f for f in factors if f.id == factor_id)
    return found.present, found.basis


def test_associated_disease_names_every_condition_that_applies_and_dialysis():
    outcome = run(
        quiet(
            patient={"on_dialysis": True},
            conditions={**ALL_FALSE, "diabetes": True, "cardiac_disease": True},
        )
    )
    assert imwg_factor(outcome, "associated_disease") == (
        True,
        "conditions.cardiac_disease: true; conditions.diabetes: true; patient.on_dialysis: true",
    )
    dialysis_only = run(quiet(patient={"on_dialysis": True}))
    assert imwg_factor(dialysis_only, "associated_disease") == (
        True,
        "patient.on_dialysis: true",
    )
    # The diagnosis and the associated disease: two factors, so LMWH or warfarin.
    assert dialysis_only.imwg.individual_myeloma_count == 2
    assert dialysis_only.imwg.recommendation == "anticoagulant"


def test_conditions_not_given_are_named_and_asked_for():
    outcome = run(quiet(conditions={**ALL_FALSE, "diabetes": None, "cardiac_disease": None}))
    assert imwg_factor(outcome, "associated_disease") == (
        None,
        "conditions.cardiac_disease, conditions.diabetes not given",
    )
    assert outcome.imwg.unknown == ["associated_disease"]
    assert finding(outcome, "thrombosis.inputs_unknown").inputs == {
        "needed": ["conditions.cardiac_disease", "conditions.diabetes"]
    }


def test_conditions_that_do_not_apply_are_each_named():
    outcome = run(quiet())
    assert imwg_factor(outcome, "central_catheter_or_pacemaker") == (
        False,
        "conditions.central_line: false; conditions.pacemaker: false",
    )
    assert imwg_factor(outcome, "associated_disease") == (
        False,
        "conditions.cardiac_disease: false; conditions.chronic_kidney_disease: false; "
        "conditions.diabetes: false; conditions.acute_infection: false; "
        "conditions.immobilization: false",
    )


def test_one_unknown_factor_and_no_known_one_still_settles_aspirin():
    # Outside myeloma the diagnosis is no factor: none known plus one unknown is at most one,
    # so the model gives aspirin whatever the unknown factor turns out to be.
    outcome = run(quiet(indication="mds_del5q", conditions={**ALL_FALSE, "diabetes": None}))
    risk = outcome.imwg
    assert (risk.individual_myeloma_count, risk.unknown) == (0, ["associated_disease"])
    assert (risk.recommendation, risk.settled) == ("aspirin", True)
    # In myeloma the diagnosis is one factor: an unknown second one leaves the choice open.
    myeloma = run(quiet(conditions={**ALL_FALSE, "diabetes": None})).imwg
    assert (myeloma.individual_myeloma_count, myeloma.recommendation, myeloma.settled) == (
        1,
        "aspirin",
        False,
    )


IMWG_CITATIONS = [
    ("imwg_thrombosis_2008", "risk-assessment model and thromboprophylaxis recommendations"),
    ("imwg_thrombosis_2008", "thromboprophylaxis recommendations: aspirin"),
    ("imwg_thrombosis_2008", "thromboprophylaxis recommendations: LMWH or warfarin"),
]


def test_the_imwg_result_cites_the_model_both_regimens_and_the_kidney_note():
    aspirin = run(quiet()).imwg
    assert [(c.source, c.section) for c in aspirin.citations] == IMWG_CITATIONS
    dialysis = run(quiet(patient={"on_dialysis": True})).imwg
    assert dialysis.recommendation == "anticoagulant"
    assert [(c.source, c.section) for c in dialysis.citations] == [
        *IMWG_CITATIONS,
        ("lenaguard", "low-molecular-weight heparin on dialysis"),
    ]


# --- missing inputs asked for ---------------------------------------------------------------


def test_a_missing_weight_leaves_the_bmi_items_unknown_and_asks_for_weight_and_height():
    outcome = run(quiet(patient={"weight_kg": None}))
    entry = item(outcome, "impede_vte", "bmi_25_or_more")
    assert (entry.present, entry.basis) == (
        None,
        "weight or height missing: body-mass index unknown",
    )
    assert imwg_factor(outcome, "obesity") == (
        None,
        "weight or height missing: body-mass index unknown",
    )
    assert finding(outcome, "thrombosis.inputs_unknown").inputs == {
        "needed": ["patient.weight_kg", "patient.height_cm"]
    }


def test_a_dexamethasone_dose_missing_is_asked_for_by_its_field():
    found = finding(run(quiet(medications=[dex(None)])), "thrombosis.inputs_unknown")
    assert found.inputs == {"needed": ["medications[dexamethasone].mg_per_month"]}
    assert found.detail == (
        "Not recorded: medications[dexamethasone].mg_per_month. Unknown items are not counted as "
        "absent: the scores add only what is known and show the range the missing inputs allow. "
        "IMPEDE VTE: dexamethasone_high (medications[dexamethasone].mg_per_month), "
        "dexamethasone_low (medications[dexamethasone].mg_per_month). Known items give 4 "
        "points; with the missing inputs 6 to 8 (intermediate, high). SAVED: dexamethasone_high "
        "(medications[dexamethasone].mg_per_month), dexamethasone_standard "
        "(medications[dexamethasone].mg_per_month). Known items give 0 points; with the missing "
        "inputs 0 to 2 (low, high). IMWG 2008 risk-factor model: high_dose_dexamethasone "
        "(medications[dexamethasone].mg_per_month). The prophylaxis choice depends on them."
    )


# --- the no-prophylaxis warning and the pauses, whole -----------------------------------------

PAUSE = "thrombosis.prophylaxis_not_advised_now"
COURSE_ENDED = (
    "The lenalidomide course has ended: the models are shown for information and lenaguard "
    "gives no advice to add prophylaxis for lenalidomide. If treatment restarts, decide it "
    "again then."
)
LOW_PLATELETS = (
    "No myeloma guideline found gives a platelet count below which thromboprophylaxis is "
    "withheld. At this count lenaguard gives no advice to add or escalate prophylaxis: whether "
    "to start, continue or reduce it weighs the bleeding risk of the low count against the clot "
    "risk, and is the prescriber's judgement. The nearest guideline numbers concern treating an "
    "established cancer-associated clot: ISTH SSC 2018, full-dose LMWH at platelets ≥ "
    "50,000/mcL, a half or prophylactic dose from 25,000 to 50,000/mcL, a temporary stop below "
    "25,000/mcL; ITAC, full dose above 50,000/mcL without bleeding. These numbers are for "
    "treating an established clot, not for prophylaxis; lenaguard shows them only because no "
    "prophylaxis threshold was found."
)


def test_other_antiplatelet_drugs_are_named_as_not_the_prophylaxis_the_models_name():
    outcome = run(quiet(medications=[{"name": "clopidogrel"}, {"name": "ticagrelor"}]))
    found = finding(outcome, "thrombosis.no_prophylaxis")
    assert (found.severity, found.blocking) == (Severity.WARNING, False)
    assert found.summary == (
        "No thromboprophylaxis listed; IMWG 2008 advises it in myeloma on lenalidomide."
    )
    assert found.detail == (
        "Without dexamethasone the label's boxed recommendation does not apply as written; the "
        "IMWG 2008 recommendations cover myeloma treated with lenalidomide, with aspirin at low "
        "risk and LMWH or warfarin at higher risk. No aspirin and no anticoagulant is among the "
        "case's medications. If prophylaxis is given, add it to the medication list; if it is "
        "deliberately not given, record the reason. Listed antiplatelet drugs other than aspirin "
        "(clopidogrel, ticagrelor) are not the thromboprophylaxis the risk models name."
    )
    assert found.inputs == {"medications": ["clopidogrel", "ticagrelor"]}


def test_a_course_that_ended_pauses_the_advice_with_its_date():
    therapy = {
        "events": [
            {"date": "2026-10-01", "event": "start", "dose_mg": 25},
            {"date": "2026-11-10", "event": "stop"},
        ]
    }
    outcome = run(quiet(medications=[dex(480)], therapy=therapy))
    found = finding(outcome, PAUSE)
    assert (found.severity, found.blocking) == (Severity.INFO, False)
    assert (
        found.summary == "No advice to add thromboprophylaxis now: the course ended on 2026-11-10."
    )
    assert found.detail == f"The course ended on 2026-11-10. {COURSE_ENDED}"
    assert found.inputs == {"reasons": ["course_ended"], "stopped_on": "2026-11-10"}
    assert [(c.source, c.section) for c in found.citations] == [
        ("lenaguard", "thromboprophylaxis after the course ended")
    ]


def test_an_ended_course_and_low_platelets_give_both_reasons_the_stronger_severity_first_words():
    therapy = {
        "events": [
            {"date": "2026-10-01", "event": "start", "dose_mg": 25},
            {"date": "2026-11-10", "event": "stop"},
        ]
    }
    low = lab("platelets", 20_000, "/uL", date="2026-11-18")
    found = finding(run(quiet(medications=[dex(480)], therapy=therapy, labs=[low])), PAUSE)
    assert found.severity is Severity.WARNING
    assert found.summary == (
        "No advice to add thromboprophylaxis now: the course ended on 2026-11-10 (and 1 more "
        "reason)."
    )
    assert found.detail == (
        f"The course ended on 2026-11-10. {COURSE_ENDED} Platelets 20,000/mcL on 2026-11-18, "
        f"under 50,000/mcL. {LOW_PLATELETS}"
    )
    assert found.inputs == {
        "reasons": ["course_ended", "low_platelets"],
        "stopped_on": "2026-11-10",
        "platelets_per_ul": 20_000,
        "platelets_date": "2026-11-18",
    }


def test_a_thrombocytopenia_hold_pauses_the_advice_with_its_date():
    therapy = {
        "events": [
            {"date": "2026-10-01", "event": "start", "dose_mg": 25},
            {"date": "2026-11-10", "event": "hold", "reason": "thrombocytopenia"},
        ]
    }
    found = finding(run(quiet(medications=[dex(480)], therapy=therapy)), PAUSE)
    assert found.severity is Severity.INFO
    assert found.summary == (
        "No advice to add thromboprophylaxis now: lenalidomide is held for thrombocytopenia "
        "since 2026-11-10."
    )
    assert found.detail == (
        "Lenalidomide is held for thrombocytopenia since 2026-11-10. Lenalidomide is held "
        "because of a low platelet count: lenaguard gives no advice to add prophylaxis during "
        "the hold. Decide on prophylaxis again when lenalidomide resumes and the count has "
        "recovered."
    )
    assert found.inputs == {"reasons": ["thrombocytopenia_hold"], "held_since": "2026-11-10"}


def test_low_platelets_name_every_prophylaxis_in_use_to_review():
    medications = [
        dex(480),
        {"name": "aspirin"},
        {"name": "warfarin", "intensity": "therapeutic", "dose_mg": 5},
    ]
    low = lab("platelets", 20_000, "/uL", date="2026-11-18")
    found = finding(run(quiet(medications=medications, labs=[low])), PAUSE)
    assert found.summary == (
        "No advice to add thromboprophylaxis now: platelets 20,000/mcL on 2026-11-18, under "
        "50,000/mcL."
    )
    assert found.detail == (
        f"Platelets 20,000/mcL on 2026-11-18, under 50,000/mcL. {LOW_PLATELETS} Review the "
        "prophylaxis in use at this count: warfarin (5 mg, therapeutic), aspirin."
    )
