"""Hits → a verified answer. pipeline.py holds the stages in order; one module per stage:
injection.py (quarantine), evidence.py (sentences and vectors), answerability.py (the gate),
extract.py and generate.py (with prompt.py), verify.py (citations), period.py (the asked
year) and reply.py (the Answer, worded once in the question's language)."""
