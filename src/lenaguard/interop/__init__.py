"""Standards at the edges: pure mappings between lenaguard's models and HL7 FHIR R4.

`interop.fhir` reads a FHIR R4 Bundle (or a list of resources) into the case model, with
findings for whatever it could not map. Like the rules, nothing here does I/O or imports a
surface library; the CLI and the web service read the bytes and call in.
"""
