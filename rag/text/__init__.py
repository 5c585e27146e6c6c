"""Plain-text helpers every stage shares: sentences, words, dates as written, and the
reply's language with the catalogue of everything the assistant says (language.py)."""
