"""Question 1, what dose and when: renal function, starting and ongoing dose, hematologic and
other toxicity, the treatment timeline, the cycle schedule, monitoring, and the safety gate."""
