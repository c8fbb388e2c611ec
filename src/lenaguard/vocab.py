"""Controlled vocabularies of the case file and the assessment (extend, never rename)."""

from __future__ import annotations

from enum import StrEnum


class Indication(StrEnum):
    """Labelled US indications, keyed as in the case file."""

    MM_COMBINATION = "mm_combination"
    MM_MAINTENANCE = "mm_maintenance"
    MDS_DEL5Q = "mds_del5q"
    MCL = "mcl"
    FL = "fl"
    MZL = "mzl"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


class Ethnicity(StrEnum):
    ASIAN_PACIFIC_ISLANDER = "asian_pacific_islander"
    BLACK = "black"
    WHITE = "white"
    OTHER = "other"


class WeightPolicy(StrEnum):
    """Which body weight enters Cockcroft-Gault."""

    ACTUAL = "actual"
    IDEAL = "ideal"
    ADJUSTED = "adjusted"
    BMI_RULE = "bmi_rule"


class EventKind(StrEnum):
    """Entries of the treatment timeline."""

    START = "start"
    HOLD = "hold"
    RESUME = "resume"
    STOP = "stop"
    DOSE_CHANGE = "dose_change"


class HoldReason(StrEnum):
    NEUTROPENIA = "neutropenia"
    THROMBOCYTOPENIA = "thrombocytopenia"
    OTHER_TOXICITY = "other_toxicity"


class Frequency(StrEnum):
    DAILY = "daily"
    EVERY_48H = "every_48h"

    @property
    def words(self) -> str:
        """How the frequency reads in a sentence."""
        return "once daily" if self is Frequency.DAILY else "every 48 hours"


class ToxicityKind(StrEnum):
    """Kinds of non-hematologic toxicity the rules treat differently."""

    RASH = "rash"
    EXFOLIATIVE_RASH = "exfoliative_rash"
    BULLOUS_RASH = "bullous_rash"
    ANGIOEDEMA = "angioedema"
    ANAPHYLAXIS = "anaphylaxis"
    SJS = "sjs"
    TEN = "ten"
    DRESS = "dress"
    TUMOR_FLARE = "tumor_flare"
    HEPATOTOXICITY = "hepatotoxicity"
    TUMOR_LYSIS = "tumor_lysis"
    OTHER = "other"


class LabTest(StrEnum):
    """Lab tests and measurements the case file accepts (`test:`)."""

    CREATININE = "creatinine"
    ANC = "anc"
    WBC = "wbc"
    PLATELETS = "platelets"
    HEMOGLOBIN = "hemoglobin"
    ALT = "alt"
    AST = "ast"
    BILIRUBIN = "bilirubin"
    TSH = "tsh"
    PREGNANCY = "pregnancy"
    HBSAG = "hbsag"
    ANTI_HBC = "anti_hbc"
    ANTI_HBS = "anti_hbs"
    HBV_DNA = "hbv_dna"
    SERUM_M_PROTEIN = "serum_m_protein"
    URINE_M_PROTEIN = "urine_m_protein"
    SERUM_IFE = "serum_ife"
    URINE_IFE = "urine_ife"
    KAPPA_FLC = "kappa_flc"
    LAMBDA_FLC = "lambda_flc"
    IGA = "iga"
    IGG = "igg"
    IGM = "igm"
    MARROW_PLASMA_CELLS = "marrow_plasma_cells"
    WEIGHT = "weight"
    HEIGHT = "height"


class QualitativeResult(StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"


class Symptom(StrEnum):
    """Patient-reported symptoms."""

    FEVER = "fever"
    CHILLS = "chills"
    SORE_THROAT = "sore_throat"
    MOUTH_SORES = "mouth_sores"
    SHORTNESS_OF_BREATH = "shortness_of_breath"
    CHEST_PAIN = "chest_pain"
    LEG_SWELLING = "leg_swelling"
    ARM_SWELLING = "arm_swelling"
    RASH = "rash"
    BLISTERING_RASH = "blistering_rash"
    PEELING_SKIN = "peeling_skin"
    BLEEDING = "bleeding"
    BRUISING = "bruising"
    MISSED_PERIOD = "missed_period"
    CONSTIPATION = "constipation"
    FATIGUE = "fatigue"


class TransfusionKind(StrEnum):
    RBC = "rbc"
    PLATELETS = "platelets"


class HeavyChain(StrEnum):
    """Monoclonal heavy-chain isotype of a myeloma (none = light-chain only)."""

    IGG = "igg"
    IGA = "iga"
    IGM = "igm"
    IGD = "igd"
    IGE = "ige"
    NONE = "none"


class LightChain(StrEnum):
    KAPPA = "kappa"
    LAMBDA = "lambda"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Category(StrEnum):
    """What a finding is about."""

    INPUT = "input"
    RENAL = "renal"
    DOSING = "dosing"
    TOXICITY = "toxicity"
    SCHEDULE = "schedule"
    MONITORING = "monitoring"
    PREGNANCY = "pregnancy"
    INFECTION = "infection"
    THROMBOSIS = "thrombosis"
    INTERACTION = "interaction"
    SYMPTOM = "symptom"
    RESPONSE = "response"


class DoseAction(StrEnum):
    """What to do with lenalidomide on the assessment date."""

    START = "start"
    CONTINUE = "continue"
    HOLD = "hold"
    RESUME = "resume"
    STOP = "stop"
    DO_NOT_START = "do_not_start"
    """A course that never started meets a contraindication: it must not begin."""

    @property
    def gives_drug(self) -> bool:
        """Whether the action hands lenalidomide to the patient (start, continue, resume)."""
        return self in (DoseAction.START, DoseAction.CONTINUE, DoseAction.RESUME)


class Readiness(StrEnum):
    """Whether a prescription can go ahead on the assessment date."""

    READY = "ready"
    NOT_READY = "not_ready"
    NOT_DETERMINED = "not_determined"
    """No dose decision could be made (inputs missing, or left out by --verified-only)."""


class RenalBand(StrEnum):
    """Renal function bands of the US label's starting-dose table."""

    NORMAL = "normal"
    MODERATE = "moderate"
    SEVERE = "severe"
    DIALYSIS = "dialysis"
