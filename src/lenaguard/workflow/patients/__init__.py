"""Enrolled patients and their stored, versioned clinical case."""
