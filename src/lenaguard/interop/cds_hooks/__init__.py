"""HL7 CDS Hooks 2.0 (with the 3.0 ballot's card rules): request models, the services offered,
the assessment of a hook call and the cards built from it. Pure: no web library is imported;
the service (lenaguard.service.cds_api) does the HTTP, the JWT checks and the storage.
"""

from lenaguard.interop.cds_hooks.cards import Assessed, Draft, IssuedCard, build_cards
from lenaguard.interop.cds_hooks.hook import (
    HookAssessment,
    assess_hook,
    fill_template,
    missing_prefetch,
    parse_context,
)
from lenaguard.interop.cds_hooks.models import Card, FeedbackRequest, HookRequest
from lenaguard.interop.cds_hooks.services import HOOKS, prefetch_templates, services

__all__ = [
    "HOOKS",
    "Assessed",
    "Card",
    "Draft",
    "FeedbackRequest",
    "HookAssessment",
    "HookRequest",
    "IssuedCard",
    "assess_hook",
    "build_cards",
    "fill_template",
    "missing_prefetch",
    "parse_context",
    "prefetch_templates",
    "services",
]
