"""First-prescription readiness: the checklist from REMS registration to the first fill."""
