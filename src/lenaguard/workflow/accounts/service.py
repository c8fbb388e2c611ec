"""Users and API tokens: create, authenticate, revoke; and who may act on what.

A token is shown once when it is made and stored only as its SHA-256 digest (tokens carry 256
random bits, so a plain digest is enough). `Principal` is the authenticated caller every service
function receives; the ownership questions (`may_act_for_prescriber`, …) live here, once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from lenaguard.errors import WorkflowError
from lenaguard.store.base import utcnow
from lenaguard.workflow.accounts.models import ApiToken, NurseAssignment, Role, User, WebSession
from lenaguard.workflow.audit.service import chain_for_user, record
from lenaguard.workflow.ids import new_id
from lenaguard.workflow.parties.models import Pharmacy, Prescriber
from lenaguard.workflow.patients.models import Patient

__all__ = [
    "TOKEN_PREFIX",
    "Principal",
    "authenticate",
    "create_user",
    "end_web_session",
    "issue_token",
    "principal_for",
    "revoke_tokens",
    "session_principal",
    "start_web_session",
]

TOKEN_PREFIX = "lg_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a user with a role and the records the role is tied to."""

    user_id: str
    role: Role
    name: str
    prescriber_id: str | None = None
    pharmacy_id: str | None = None
    patient_id: str | None = None
    acting_for: frozenset[str] = field(default_factory=frozenset)
    """Prescriber ids whose patients this user may see: their own, or a nurse's assignments."""

    def may_act_for_prescriber(self, prescriber_id: str) -> bool:
        return self.role is Role.ADMIN or prescriber_id in self.acting_for

    def may_see_patient(self, patient: Patient) -> bool:
        """Admin; the patient's prescriber or their nurse; the patient; the patient's pharmacy."""
        if self.role is Role.ADMIN:
            return True
        if self.role in (Role.PRESCRIBER, Role.NURSE):
            return patient.prescriber_id in self.acting_for
        if self.role is Role.PATIENT:
            return patient.id == self.patient_id
        if self.role is Role.PHARMACIST:
            return patient.pharmacy_id is not None and patient.pharmacy_id == self.pharmacy_id
        return False


def create_user(
    session: Session,
    *,
    role: Role,
    name: str,
    prescriber_id: str | None = None,
    pharmacy_id: str | None = None,
    patient_id: str | None = None,
    acting_for: list[str] | None = None,
) -> User:
    """A new user, checked: each role is tied to exactly the record it acts for."""
    needs = {
        Role.PRESCRIBER: ("prescriber", prescriber_id, Prescriber),
        Role.PHARMACIST: ("pharmacy", pharmacy_id, Pharmacy),
        Role.PATIENT: ("patient", patient_id, Patient),
    }
    problems: list[tuple[str, str]] = []
    if not name.strip():
        problems.append(("name", "must not be empty"))
    if role in needs:
        label, value, table = needs[role]
        if value is None:
            problems.append((label, f"required for the role {role.value}"))
        elif session.get(table, value) is None:
            problems.append((label, f"no {label} with id {value!r}"))
    links = {"prescriber": prescriber_id, "pharmacy": pharmacy_id, "patient": patient_id}
    for label, value in links.items():
        if value is not None and (role not in needs or needs[role][0] != label):
            problems.append((label, f"does not apply to the role {role.value}"))
    if acting_for and role is not Role.NURSE:
        problems.append(("acting_for", "only a nurse acts for prescribers"))
    for prescriber in acting_for or []:
        if session.get(Prescriber, prescriber) is None:
            problems.append(("acting_for", f"no prescriber with id {prescriber!r}"))
    if problems:
        raise WorkflowError(problems, title="cannot create the user")
    user = User(
        id=new_id("usr"),
        role=role,
        name=name.strip(),
        prescriber_id=prescriber_id,
        pharmacy_id=pharmacy_id,
        patient_id=patient_id,
    )
    session.add(user)
    session.flush()
    for prescriber in acting_for or []:
        session.add(NurseAssignment(nurse_id=user.id, prescriber_id=prescriber))
    session.flush()
    return user


def issue_token(session: Session, user: User, *, days: int, now: dt.datetime | None = None) -> str:
    """A new API token for `user`, valid for `days`; the only time the token itself exists."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = now or utcnow()
    session.add(
        ApiToken(
            id=new_id("tok"),
            user_id=user.id,
            digest=_digest(token),
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
    )
    session.flush()
    return token


def revoke_tokens(session: Session, user_id: str, *, now: dt.datetime | None = None) -> int:
    """Revoke every live token of a user; the number revoked."""
    now = now or utcnow()
    tokens = session.execute(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    ).scalars()
    count = 0
    for token in tokens:
        token.revoked_at = now
        count += 1
    return count


def principal_for(session: Session, user: User) -> Principal:
    acting_for: set[str] = set()
    if user.role is Role.PRESCRIBER and user.prescriber_id:
        acting_for.add(user.prescriber_id)
    if user.role is Role.NURSE:
        acting_for |= set(
            session.execute(
                select(NurseAssignment.prescriber_id).where(NurseAssignment.nurse_id == user.id)
            ).scalars()
        )
    return Principal(
        user_id=user.id,
        role=user.role,
        name=user.name,
        prescriber_id=user.prescriber_id,
        pharmacy_id=user.pharmacy_id,
        patient_id=user.patient_id,
        acting_for=frozenset(acting_for),
    )


def authenticate(
    session: Session, token: str, *, now: dt.datetime | None = None
) -> Principal | None:
    """The caller a bearer token belongs to; None for an unknown, expired or revoked token."""
    found = _live_token(session, token, now or utcnow())
    return None if found is None else principal_for(session, found[1])


def _live_token(session: Session, token: str, now: dt.datetime) -> tuple[ApiToken, User] | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.digest == _digest(token))
    ).first()
    if row is None:
        return None
    api_token, user = row
    if api_token.revoked_at is not None or api_token.expires_at <= now:
        return None
    return api_token, user


def start_web_session(
    session: Session, token: str, *, hours: int, now: dt.datetime | None = None
) -> tuple[str, Principal] | None:
    """Sign a browser in with an API token: a new session key (for the cookie) and the caller,
    or None for an unknown, expired or revoked token. The session ends at the earlier of
    `hours` from now and the token's own expiry, and with the token's revocation."""
    now = now or utcnow()
    found = _live_token(session, token, now)
    if found is None:
        return None
    api_token, user = found
    key = secrets.token_urlsafe(32)
    web_session = WebSession(
        digest=_digest(key),
        user_id=user.id,
        token_id=api_token.id,
        created_at=now,
        expires_at=min(now + dt.timedelta(hours=hours), api_token.expires_at),
    )
    session.add(web_session)
    session.flush()
    _audit_session(session, user, "sign_in", web_session)
    return key, principal_for(session, user)


def _audit_session(session: Session, user: User, action: str, web_session: WebSession) -> None:
    """A sign-in or sign-out, in the user's own chain: which token, when the session ends (the
    session key and its digest stay out of the log)."""
    record(
        session,
        chain=chain_for_user(user.id),
        actor_id=user.id,
        actor_role=user.role.value,
        action=action,
        entity="web_session",
        entity_id=web_session.token_id,
        after={"expires_at": web_session.expires_at.isoformat()},
    )


def session_principal(
    session: Session, key: str, *, now: dt.datetime | None = None
) -> Principal | None:
    """The caller a session cookie belongs to; None for an unknown or ended session, or one
    whose API token has since been revoked."""
    if len(key) > 200:
        return None
    now = now or utcnow()
    row = session.execute(
        select(WebSession, ApiToken, User)
        .join(ApiToken, ApiToken.id == WebSession.token_id)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.digest == _digest(key))
    ).first()
    if row is None:
        return None
    web_session, api_token, user = row
    if web_session.expires_at <= now or api_token.revoked_at is not None:
        return None
    return principal_for(session, user)


def end_web_session(session: Session, key: str) -> None:
    """Log out: the session key stops working at once."""
    found = session.get(WebSession, _digest(key)) if len(key) <= 200 else None
    if found is not None:
        user = session.get(User, found.user_id)
        assert user is not None  # a foreign key
        _audit_session(session, user, "sign_out", found)
        session.delete(found)
