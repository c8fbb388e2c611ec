"""CDS Hooks records: the assessments behind cards (for the signed assessment page), the cards
issued (their types, for feedback statistics), the feedback received, and the JWT ids seen
(replay protection shared by every worker)."""
