"""Certified prescribers and pharmacies."""
