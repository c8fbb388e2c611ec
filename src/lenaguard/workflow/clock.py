"""The moment a request is handled, as a route dependency.

Service functions take `now` as a parameter; routes get it from `Now`, which is the wall clock
in production. Tests replace it (`app.dependency_overrides[current_moment] = lambda: moment`) to
walk a patient through weeks of therapy in one run.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends

from lenaguard.store.base import utcnow

__all__ = ["Now", "current_moment"]


def current_moment() -> dt.datetime:
    """The aware UTC moment of this request."""
    return utcnow()


Now = Annotated[dt.datetime, Depends(current_moment)]
