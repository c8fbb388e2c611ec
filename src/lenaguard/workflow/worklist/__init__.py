"""The worklist: every REMS and monitoring item due or overdue for the caller's patients."""
