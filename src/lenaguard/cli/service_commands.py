"""The service's commands: `serve`, `db upgrade`, `users create|revoke|list`, `audit verify`.

Each imports the web and database libraries only when it runs, so `lenaguard assess` starts as
fast as before. Settings come from the environment (lenaguard.settings).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from lenaguard.cli.groups import command_group
from lenaguard.errors import InputError

db_app = command_group("The database: create or upgrade its schema.")
users_app = command_group("Users and their API tokens.")
audit_app = command_group("The audit log.")
cds_app = command_group("The CDS Hooks service: feedback statistics.")

ROLES = ("admin", "prescriber", "nurse", "pharmacist", "patient")


def _database():
    from lenaguard.settings import Settings
    from lenaguard.store import Database, upgrade

    settings = Settings.from_env()
    database = Database(settings.database_url)
    upgrade(database)
    return settings, database


def serve(
    host: Annotated[
        str, typer.Option(help="Interface to listen on.", metavar="HOST")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535, metavar="PORT")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64, metavar="N")] = 1,
    demo: Annotated[
        bool,
        typer.Option(help="Load demo prescribers, a pharmacy and patients in every risk category."),
    ] = False,
    cds_allow_unsigned: Annotated[
        bool,
        typer.Option(
            "--cds-allow-unsigned",
            help="Accept CDS Hooks calls without a JWT (testing with a sandbox only).",
        ),
    ] = False,
) -> None:
    """Run the web service (REST API, OpenAPI at /openapi.json, docs at /docs, CDS Hooks at
    /cds-services)."""
    import os

    import uvicorn

    if cds_allow_unsigned:
        os.environ["LENAGUARD_CDS_ALLOW_UNSIGNED"] = "1"  # read by every worker's Settings
        sys.stderr.write(
            "WARNING: --cds-allow-unsigned: CDS Hooks calls without a JWT are accepted; "
            "anyone who can reach this port can call the services. Never use it in production.\n"
        )

    settings, database = _database()
    if demo:
        from lenaguard.workflow.demo import load_demo

        with database.transaction() as session:
            tokens = load_demo(session, settings)
        for line in tokens:
            sys.stdout.write(line + "\n")
    database.dispose()
    sys.stdout.write(
        f"lenaguard serving on http://{host}:{port} (database: {database.dialect})\n"
        f"  web pages: http://{host}:{port}/login (paste an API token)\n"
        f"  API docs:  http://{host}:{port}/docs\n"
    )
    sys.stdout.flush()
    uvicorn.run(
        "lenaguard.service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the tables, or bring them to the newest schema (Alembic)."""
    from lenaguard.store import current_revision

    _settings, database = _database()
    sys.stdout.write(
        f"database at revision {current_revision(database.engine)} ({database.dialect})\n"
    )


@users_app.command("create")
def users_create(
    role: Annotated[
        str, typer.Option(help="admin, prescriber, nurse, pharmacist or patient.", metavar="ROLE")
    ],
    name: Annotated[str, typer.Option(help="The person's name.", metavar="NAME")],
    prescriber: Annotated[
        list[str] | None,
        typer.Option(
            help="Prescriber id (a prescriber's own, else a new uncertified prescriber record "
            "is made; a nurse: once per prescriber).",
            metavar="ID",
        ),
    ] = None,
    pharmacy: Annotated[
        str | None, typer.Option(help="Pharmacy id (pharmacists).", metavar="ID")
    ] = None,
    patient: Annotated[
        str | None, typer.Option(help="Patient id (patients).", metavar="ID")
    ] = None,
) -> None:
    """Create a user and print their API token (shown this once; stored only as a digest)."""
    from lenaguard.workflow.accounts.models import Role
    from lenaguard.workflow.accounts.service import create_user, issue_token

    if role not in ROLES:
        raise InputError([("--role", f"{role!r} is not one of {', '.join(ROLES)}")])
    chosen = Role(role)
    prescribers = list(prescriber or [])
    if chosen is not Role.NURSE and len(prescribers) > 1:
        raise InputError([("--prescriber", "give one prescriber (only a nurse acts for several)")])
    settings, database = _database()
    made_prescriber = None
    with database.transaction() as session:
        if chosen is Role.PRESCRIBER and not prescribers:
            from lenaguard.workflow.parties.service import create_prescriber

            made_prescriber = create_prescriber(session, None, name=name)
            prescribers = [made_prescriber.id]
        user = create_user(
            session,
            role=chosen,
            name=name,
            prescriber_id=prescribers[0] if prescribers and chosen is not Role.NURSE else None,
            pharmacy_id=pharmacy,
            patient_id=patient,
            acting_for=prescribers if chosen is Role.NURSE else None,
        )
        token = issue_token(session, user, days=settings.token_days)
    if made_prescriber is not None:
        sys.stdout.write(
            f"prescriber {made_prescriber.id} created, not yet certified (an admin sets the dates: "
            f"POST /api/v1/prescribers/{made_prescriber.id}/certification)\n"
        )
    sys.stdout.write(f"user {user.id} ({chosen.value}, {user.name})\n")
    sys.stdout.write(f"token (shown once, valid {settings.token_days} days): {token}\n")


@users_app.command("revoke")
def users_revoke(user_id: Annotated[str, typer.Argument(help="The user's id.")]) -> None:
    """Revoke every API token of a user."""
    from lenaguard.workflow.accounts.models import User
    from lenaguard.workflow.accounts.service import revoke_tokens

    _settings, database = _database()
    with database.transaction() as session:
        if session.get(User, user_id) is None:
            raise InputError([("USER_ID", f"no user with id {user_id!r}")])
        count = revoke_tokens(session, user_id)
    sys.stdout.write(f"revoked {count} token(s) of {user_id}\n")


@users_app.command("list")
def users_list() -> None:
    """List users: id, role, name and the record each acts for."""
    from sqlalchemy import select

    from lenaguard.workflow.accounts.models import User

    _settings, database = _database()
    with database.transaction() as session:
        for user in session.execute(select(User).order_by(User.created_at)).scalars():
            tied = user.prescriber_id or user.pharmacy_id or user.patient_id or ""
            sys.stdout.write(f"{user.id}\t{user.role.value}\t{user.name}\t{tied}\n")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute every audit chain; exit 1 naming each entry edited, deleted or reordered."""
    from lenaguard.workflow.audit.service import verify

    _settings, database = _database()
    with database.transaction() as session:
        checked, problems = verify(session)
    for problem in problems:
        sys.stdout.write(f"TAMPERED {problem}\n")
    if problems:
        sys.stdout.write(f"audit log: {len(problems)} problem(s) in {checked} entries\n")
        raise typer.Exit(1)
    sys.stdout.write(f"audit log intact: {checked} entries\n")


@cds_app.command("stats")
def cds_stats(
    json_output: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
) -> None:
    """Acceptance and override rates of the CDS Hooks cards, per card type."""
    import json

    from lenaguard.workflow.cds.stats import card_stats

    _settings, database = _database()
    with database.reading() as session:
        rows = card_stats(session)
    if json_output:
        sys.stdout.write(json.dumps([r.to_json() for r in rows], indent=2) + "\n")
        return
    if not rows:
        sys.stdout.write("no CDS Hooks cards issued yet\n")
        return

    def rate(value: float | None) -> str:
        return "-" if value is None else f"{value:.0%}"

    sys.stdout.write(
        f"{'card type':<45} {'issued':>7} {'feedback':>8} {'accepted':>8} {'overridden':>10}\n"
    )
    for r in rows:
        sys.stdout.write(
            f"{r.card_type:<45} {r.issued:>7} {r.with_feedback:>8} "
            f"{rate(r.acceptance_rate):>8} {rate(r.override_rate):>10}\n"
        )
        for reason, count in sorted(r.override_reasons.items(), key=lambda i: -i[1]):
            sys.stdout.write(f"    overridden: {reason} ×{count}\n")


def register(app: typer.Typer) -> None:
    app.command()(serve)
    app.add_typer(db_app, name="db")
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")
    app.add_typer(cds_app, name="cds")
