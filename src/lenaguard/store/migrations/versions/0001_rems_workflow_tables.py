"""REMS workflow tables

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import lenaguard.store.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_chains",
        sa.Column("chain", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_audit_chains")),
    )
    op.create_table(
        "pharmacies",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("certified_on", sa.Date(), nullable=True),
        sa.Column("certification_expires_on", sa.Date(), nullable=True),
        sa.Column("created_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pharmacies")),
    )
    op.create_table(
        "prescribers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("npi", sa.String(length=10), nullable=True),
        sa.Column("certified_on", sa.Date(), nullable=True),
        sa.Column("certification_expires_on", sa.Date(), nullable=True),
        sa.Column("created_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prescribers")),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("prescriber_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sex", sa.String(length=10), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column(
            "reproductive",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("guardian_name", sa.String(length=200), nullable=True),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("agreement_signed_on", sa.Date(), nullable=True),
        sa.Column("guardian_agreement_signed_on", sa.Date(), nullable=True),
        sa.Column("pharmacy_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pharmacy_id"], ["pharmacies.id"], name=op.f("fk_patients_pharmacy_id_pharmacies")
        ),
        sa.ForeignKeyConstraint(
            ["prescriber_id"],
            ["prescribers.id"],
            name=op.f("fk_patients_prescriber_id_prescribers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
    )
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patients_pharmacy_id"), ["pharmacy_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_patients_prescriber_id"), ["prescriber_id"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "ADMIN",
                "PRESCRIBER",
                "NURSE",
                "PHARMACIST",
                "PATIENT",
                name="role",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prescriber_id", sa.String(length=40), nullable=True),
        sa.Column("pharmacy_id", sa.String(length=40), nullable=True),
        sa.Column("patient_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_users_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["pharmacy_id"], ["pharmacies.id"], name=op.f("fk_users_pharmacy_id_pharmacies")
        ),
        sa.ForeignKeyConstraint(
            ["prescriber_id"], ["prescribers.id"], name=op.f("fk_users_prescriber_id_prescribers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_pharmacy_id"), ["pharmacy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_prescriber_id"), ["prescriber_id"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_api_tokens_digest")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_entries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("chain", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=40), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=80), nullable=False),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_entries_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
        sa.UniqueConstraint("chain", "seq", name="uq_audit_entries_chain_seq"),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_chain"), ["chain"], unique=False)

    op.create_table(
        "authorizations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("patient_id", sa.String(length=40), nullable=False),
        sa.Column("prescriber_id", sa.String(length=40), nullable=False),
        sa.Column("indication", sa.String(length=30), nullable=False),
        sa.Column("dose_mg", sa.Float(), nullable=False),
        sa.Column("first_day", sa.Integer(), nullable=False),
        sa.Column("last_day", sa.Integer(), nullable=False),
        sa.Column("cycle_days", sa.Integer(), nullable=False),
        sa.Column("days_supply", sa.Integer(), nullable=False),
        sa.Column("risk_category", sa.String(length=60), nullable=False),
        sa.Column("issued_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("issued_by", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["issued_by"], ["users.id"], name=op.f("fk_authorizations_issued_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_authorizations_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["prescriber_id"],
            ["prescribers.id"],
            name=op.f("fk_authorizations_prescriber_id_prescribers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorizations")),
        sa.UniqueConstraint("number", name=op.f("uq_authorizations_number")),
    )
    with op.batch_alter_table("authorizations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_authorizations_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_authorizations_prescriber_id"), ["prescriber_id"], unique=False
        )

    op.create_table(
        "case_versions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("patient_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_case_versions_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_case_versions_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_versions")),
        sa.UniqueConstraint("patient_id", "version", name="uq_case_versions_version"),
    )
    with op.batch_alter_table("case_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_versions_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "counselling",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("patient_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_counselling_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_counselling_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counselling")),
    )
    with op.batch_alter_table("counselling", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_counselling_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "insurance",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("patient_id", sa.String(length=40), nullable=False),
        sa.Column("payer", sa.String(length=200), nullable=False),
        sa.Column("member_id", sa.String(length=100), nullable=False),
        sa.Column("prior_authorization", sa.String(length=20), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_insurance_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_insurance_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance")),
    )
    with op.batch_alter_table("insurance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_insurance_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "nurse_assignments",
        sa.Column("nurse_id", sa.String(length=40), nullable=False),
        sa.Column("prescriber_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["nurse_id"], ["users.id"], name=op.f("fk_nurse_assignments_nurse_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["prescriber_id"],
            ["prescribers.id"],
            name=op.f("fk_nurse_assignments_prescriber_id_prescribers"),
        ),
        sa.PrimaryKeyConstraint("nurse_id", "prescriber_id", name=op.f("pk_nurse_assignments")),
    )
    op.create_table(
        "pregnancy_tests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("patient_id", sa.String(length=40), nullable=False),
        sa.Column("taken_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("result", sa.String(length=10), nullable=False),
        sa.Column("sensitivity_miu_ml", sa.Float(), nullable=True),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_pregnancy_tests_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_pregnancy_tests_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pregnancy_tests")),
    )
    with op.batch_alter_table("pregnancy_tests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pregnancy_tests_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "surveys",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("patient_id", sa.String(length=40), nullable=False),
        sa.Column("respondent", sa.String(length=20), nullable=False),
        sa.Column("taken_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("recorded_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_surveys_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_surveys_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
    )
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveys_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "confirmations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("authorization_id", sa.String(length=40), nullable=False),
        sa.Column("pharmacy_id", sa.String(length=40), nullable=False),
        sa.Column("confirmed_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["authorization_id"],
            ["authorizations.id"],
            name=op.f("fk_confirmations_authorization_id_authorizations"),
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by"], ["users.id"], name=op.f("fk_confirmations_confirmed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["pharmacy_id"], ["pharmacies.id"], name=op.f("fk_confirmations_pharmacy_id_pharmacies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_confirmations")),
        sa.UniqueConstraint("number", name=op.f("uq_confirmations_number")),
    )
    with op.batch_alter_table("confirmations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_confirmations_authorization_id"), ["authorization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_confirmations_pharmacy_id"), ["pharmacy_id"], unique=False
        )

    op.create_table(
        "dispenses",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("confirmation_id", sa.String(length=40), nullable=False),
        sa.Column("authorization_id", sa.String(length=40), nullable=False),
        sa.Column("patient_id", sa.String(length=40), nullable=False),
        sa.Column("pharmacy_id", sa.String(length=40), nullable=False),
        sa.Column("capsule_strength_mg", sa.Float(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("days_supply", sa.Integer(), nullable=False),
        sa.Column("dispensed_at", lenaguard.store.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("dispensed_on", sa.Date(), nullable=False),
        sa.Column("dispensed_by", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["authorization_id"],
            ["authorizations.id"],
            name=op.f("fk_dispenses_authorization_id_authorizations"),
        ),
        sa.ForeignKeyConstraint(
            ["confirmation_id"],
            ["confirmations.id"],
            name=op.f("fk_dispenses_confirmation_id_confirmations"),
        ),
        sa.ForeignKeyConstraint(
            ["dispensed_by"], ["users.id"], name=op.f("fk_dispenses_dispensed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_dispenses_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["pharmacy_id"], ["pharmacies.id"], name=op.f("fk_dispenses_pharmacy_id_pharmacies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispenses")),
        sa.UniqueConstraint("authorization_id", name=op.f("uq_dispenses_authorization_id")),
        sa.UniqueConstraint("confirmation_id", name=op.f("uq_dispenses_confirmation_id")),
    )
    with op.batch_alter_table("dispenses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dispenses_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dispenses_pharmacy_id"), ["pharmacy_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("dispenses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dispenses_pharmacy_id"))
        batch_op.drop_index(batch_op.f("ix_dispenses_patient_id"))

    op.drop_table("dispenses")
    with op.batch_alter_table("confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_confirmations_pharmacy_id"))
        batch_op.drop_index(batch_op.f("ix_confirmations_authorization_id"))

    op.drop_table("confirmations")
    with op.batch_alter_table("surveys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveys_patient_id"))

    op.drop_table("surveys")
    with op.batch_alter_table("pregnancy_tests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pregnancy_tests_patient_id"))

    op.drop_table("pregnancy_tests")
    op.drop_table("nurse_assignments")
    with op.batch_alter_table("insurance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_insurance_patient_id"))

    op.drop_table("insurance")
    with op.batch_alter_table("counselling", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_counselling_patient_id"))

    op.drop_table("counselling")
    with op.batch_alter_table("case_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_versions_patient_id"))

    op.drop_table("case_versions")
    with op.batch_alter_table("authorizations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authorizations_prescriber_id"))
        batch_op.drop_index(batch_op.f("ix_authorizations_patient_id"))

    op.drop_table("authorizations")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_chain"))

    op.drop_table("audit_entries")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_prescriber_id"))
        batch_op.drop_index(batch_op.f("ix_users_pharmacy_id"))
        batch_op.drop_index(batch_op.f("ix_users_patient_id"))

    op.drop_table("users")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patients_prescriber_id"))
        batch_op.drop_index(batch_op.f("ix_patients_pharmacy_id"))

    op.drop_table("patients")
    op.drop_table("prescribers")
    op.drop_table("pharmacies")
    op.drop_table("audit_chains")
