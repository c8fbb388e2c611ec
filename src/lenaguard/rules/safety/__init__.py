"""Question 2, is it safe to give now: pregnancy and REMS, infection and hepatitis B,
thrombosis, interactions, symptoms."""
