"""Prescription authorizations, pharmacy confirmations and dispenses."""
