"""The REMS workflow a clinic and its specialty pharmacy run, one package per record type.

Each package keeps its tables (`models`), its service functions (`service`: plain functions over
a SQLAlchemy session, the only place the workflow's rules meet the database) and its HTTP routes
(`views`) side by side. The clinical decisions themselves stay in `lenaguard.rules` (REMS risk
category, authorization expiry, refill window); the workflow stores, attributes and audits.

    accounts/    users, roles, API tokens, nurses acting for prescribers
    audit/       the hash-chained log of every write and every read of a patient's record
    parties/     certified prescribers and pharmacies
    patients/    enrollment, the stored versioned case, the merged case every reader uses
    records/     pregnancy tests, counselling, surveys, insurance
    dispensing/  authorizations, pharmacy confirmations, dispenses
"""
