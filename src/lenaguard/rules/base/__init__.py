"""What every rule group shares: the treatment course, the typed results, the medication list."""
