"""Evidence answers (question 4: what does the evidence say?).

The built-in corpus is the knowledge base's own statements; `evidence.ingest` adds the user's
documents and keeps the search index on disk. `ask` answers a question from an index with
"From the Guidelines" and "From the Research" sentences, numbered citations, the conflicts
between ingested documents and the knowledge base, and abstains when nothing is relevant.
"""

from lenaguard.evidence.answer import Composer, ExtractiveComposer
from lenaguard.evidence.ask import ask
from lenaguard.evidence.corpus import knowledge_passages
from lenaguard.evidence.index import Index, Query
from lenaguard.evidence.models import Answer, Conflict, Document, Passage, Reference

__all__ = [
    "Answer",
    "Composer",
    "Conflict",
    "Document",
    "ExtractiveComposer",
    "Index",
    "Passage",
    "Query",
    "Reference",
    "ask",
    "knowledge_passages",
]
