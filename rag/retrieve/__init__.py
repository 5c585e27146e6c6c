"""Question → hits: the query prepared once (query.py: language, vector, dates, a translation
or a follow-up's rewrite), the store's candidates fused into a ranking (fusion.py,
retriever.py), and the period the question names preferred or filtered (search.py)."""
