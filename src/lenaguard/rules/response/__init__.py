"""Question 3, is it working: IMWG myeloma response, immunoglobulin recovery, MDS response."""
