"""Knowledge statements: every entry says what it holds, and its numbers are its own values."""

from __future__ import annotations

import pytest
import yaml

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.base import Citation, EvidenceKind, Statement, Status
from lenaguard.knowledge.loader import DATA_DIR
from lenaguard.knowledge.statements import (
    PROSE_FIELDS,
    entry_kind,
    numbers_in,
    render,
    stray_numbers,
    words,
)
from lenaguard.knowledge.topics.dose_modification import DoseModificationKnowledge
from lenaguard.knowledge.topics.indications import CitedValues, IndicationsKnowledge
from lenaguard.knowledge.topics.interactions import InteractionsKnowledge
from lenaguard.knowledge.topics.monitoring import MonitoringKnowledge
from lenaguard.knowledge.topics.renal import RenalKnowledge
from lenaguard.knowledge.topics.research import ResearchKnowledge
from lenaguard.knowledge.topics.response import ResponseKnowledge
from lenaguard.knowledge.topics.sources import Bibliography
from lenaguard.vocab import Indication, LabTest, RenalBand


def _entries():
    for topic in default_knowledge().topics.values():
        yield from topic.cited_entries()


def test_every_knowledge_entry_has_a_statement():
    missing = [path for path, entry in _entries() if not render(entry)]
    assert missing == []


def test_statements_hold_no_number_that_is_not_a_value_of_their_entry():
    # a number lives in one place: every number a statement or prose field names is a value of
    # its entry, read through a template (see docs/knowledge.md, "Statements")
    offenders = {path: stray_numbers(entry) for path, entry in _entries() if stray_numbers(entry)}
    assert offenders == {}, "write the number as a value and read it through a template"


def test_every_prose_field_reads_only_fields_its_entry_has():
    # rules print prose fields (a row's wording, a correction) through `words`; a placeholder
    # naming a missing field would otherwise fail only when a rule reaches it
    for _, entry in _entries():
        assert "{" not in (render(entry) or "")
        for name in PROSE_FIELDS & set(type(entry).model_fields):
            if isinstance(getattr(entry, name), str):
                assert "{" not in words(entry, name)


def test_a_number_written_into_a_prose_field_is_caught_and_a_templated_one_is_not():
    kb = default_knowledge()
    metabolism = kb.get(InteractionsKnowledge).pharmacokinetics.metabolism
    assert stray_numbers(metabolism) == []
    assert "about 92% of what circulates" in words(metabolism, "text")
    retyped = metabolism.model_copy(update={"text": metabolism.text + " About 7% is bound."})
    assert stray_numbers(retyped) == [7.0]


def test_numbers_kept_in_two_files_agree():
    # an entry holds a value another file's entry holds too where a template cannot reach
    # across files; these pairs must stay equal
    kb = default_knowledge()
    metabolism = kb.get(InteractionsKnowledge).pharmacokinetics.metabolism
    studies = {s.id: s for s in kb.get(ResearchKnowledge).studies}
    mass_balance = studies["mass_balance_study"].findings
    assert metabolism.parent_share_percent == mass_balance["parent_share_pct"]
    assert metabolism.metabolite_each_below_percent == mass_balance["metabolite_each_below_pct"]
    renal = kb.get(RenalKnowledge)
    weight_study = renal.weight_policies.default
    myeloma = kb.get(IndicationsKnowledge).entry(Indication.MM_COMBINATION)
    assert weight_study.normal_start_mg == myeloma.dose_mg
    moderate = renal.dose_table["mm_mcl"].rows[RenalBand.MODERATE]
    assert weight_study.moderate_start_mg == moderate.dose_mg
    indications = kb.get(IndicationsKnowledge)
    for indication, table in kb.get(DoseModificationKnowledge).indications.items():
        for ladder in table.ladders:
            assert ladder.schedule_days_on == indications.entry(indication).schedule.days_on
            if ladder.escalation_after_cycles is not None:
                column = next(c for c in renal.dose_table.values() if indication in c.indications)
                escalation = column.rows[RenalBand.MODERATE].escalation
                assert ladder.escalation_after_cycles == escalation.after_cycles
    for schedule in kb.get(MonitoringKnowledge).cbc.schedules:
        if schedule.cycle_length_days is not None:
            for indication in schedule.indications:
                cycle = indications.entry(indication).schedule.cycle_days
                assert schedule.cycle_length_days == cycle
    mds_003 = kb.get(ResponseKnowledge).mds.mds_003
    assert mds_003.dose_mg == kb.get(IndicationsKnowledge).entry(Indication.MDS_DEL5Q).dose_mg


def test_a_dose_table_row_reads_the_ladder_first_weeks_and_fever_of_its_topic():
    # a row's words name its table's doses and the topic's fever; they are filled in from the
    # one place that holds each, so a change there changes every row's words
    raw = yaml.safe_load((DATA_DIR / "dose_modification.yaml").read_text(encoding="utf-8"))
    raw["fever"]["at_least_celsius"] = 39.0
    raw["indications"]["mds_del5q"]["first_weeks"]["weeks"] = 6
    changed = DoseModificationKnowledge.model_validate(raw)
    mds = changed.table(Indication.MDS_DEL5Q)
    later_anc = next(row for row in mds.rows if row.id == "anc.later")
    assert "fever of 39 °C or more" in words(later_anc, "wording")
    assert words(later_anc, "wording").startswith("After 6 weeks on 10 mg, and on 5 mg:")
    assert "days 1 to 42 after the first 10 mg dose" in words(mds.first_weeks, "wording")
    mcl_platelets = changed.table(Indication.MCL).rows_for(LabTest.PLATELETS)[0]
    assert words(mcl_platelets, "wording").endswith("restart 5 mg lower than the dose before.")


def test_cbc_notes_read_the_course_days_of_their_phases():
    schedules = default_knowledge().get(MonitoringKnowledge).cbc.schedules
    by_indication = {i: s for s in schedules for i in s.indications}
    mds, fl = by_indication[Indication.MDS_DEL5Q], by_indication[Indication.FL]
    # week 9 starts on course day 57, in cycle 3 of 28 days; FL counts on days 1, 8, 15 only
    assert (mds.phases[1].span.first_day, mds.phase_first_cycles[1]) == (57, 3)
    assert "(day 57 of the course, which is day 1 of cycle 3" in words(mds, "note")
    assert (fl.phases[0].course_days, fl.phases[0].span.day_after) == ([1, 8, 15], 22)
    assert "No count is scheduled on day 22 of cycle 1." in words(fl, "note")


def test_the_number_check_catches_a_number_written_into_a_statement():
    cite = [Citation(source="uspi", section="§3")]
    templated = CitedValues(
        values=[2.5, 5],
        status=Status.LABEL,
        cite=cite,
        statement=Statement(text="Capsules come in {values} mg."),
    )
    written = templated.model_copy(
        update={"statement": Statement(text="Capsules come in 2.5, 5 and 7 mg.")}
    )
    assert render(templated) == "Capsules come in 2.5, 5 mg."
    assert stray_numbers(templated) == []
    assert stray_numbers(written) == [7.0]


def test_numbers_that_are_names_are_not_quantities():
    text = (
        "CD20, del(5q), §2.6, Table 1, MDS-003, 5-hydroxy-lenalidomide, IMWG 2008, a 24-hour urine"
    )
    assert numbers_in(text) == []
    assert numbers_in("platelets under 30,000/mcL for 7 days, 38.5 °C") == [30000, 7, 38.5]


def test_a_template_naming_a_missing_field_fails():
    entry = CitedValues(
        values=[1],
        status=Status.LABEL,
        cite=[Citation(source="uspi", section="§3")],
        statement=Statement(text="{dose_mg} mg"),
    )
    with pytest.raises(KeyError):
        render(entry)


def test_each_statement_has_a_kind_from_its_source_or_its_own():
    kb = default_knowledge()
    kinds = {s.id: s.kind.value for s in kb.get(Bibliography).sources}
    found = {entry_kind(entry, kinds) for _, entry in _entries()}
    assert {EvidenceKind.LABEL, EvidenceKind.GUIDELINE, EvidenceKind.TRIAL} <= found
    research = kb.get(ResearchKnowledge)
    pooled = next(s for s in research.studies if s.id == "pooled_iga_analysis")
    assert entry_kind(pooled, kinds) is EvidenceKind.NEWS


def test_research_entries_cover_the_studies_the_facts_name():
    studies = {s.id: s for s in default_knowledge().get(ResearchKnowledge).studies}
    for needed in (
        "mds_003_results",
        "crcl_weight_study",
        "polyclonal_iga_series",
        "pooled_iga_analysis",
        "renal_pk_study",
        "mass_balance_study",
    ):
        assert needed in studies
    mds = render(studies["mds_003_results"])
    assert "99 of 148 patients" in mds
    assert studies["pooled_iga_analysis"].status is Status.UNVERIFIED
