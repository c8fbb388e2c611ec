"""Imports every workflow table so that `Base.metadata` knows them all (Alembic, tests)."""

from lenaguard.workflow.accounts import models as accounts_models
from lenaguard.workflow.audit import models as audit_models
from lenaguard.workflow.cds import models as cds_models
from lenaguard.workflow.dispensing import models as dispensing_models
from lenaguard.workflow.parties import models as parties_models
from lenaguard.workflow.patients import models as patients_models
from lenaguard.workflow.records import models as records_models

__all__ = [
    "accounts_models",
    "audit_models",
    "cds_models",
    "dispensing_models",
    "parties_models",
    "patients_models",
    "records_models",
]
