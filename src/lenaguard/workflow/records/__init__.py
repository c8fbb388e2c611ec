"""Pregnancy tests, counselling, surveys and insurance: each dated and attributed."""
