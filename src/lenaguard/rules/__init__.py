"""Clinical rules: pure functions from a typed case and the knowledge base to typed results."""
