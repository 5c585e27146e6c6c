"""Whether the articles can answer: retrieval's confidence, then cheap checks of the chosen
sentences for extractive answers (no LLM to say "not in sources").

Retrieval similarity alone cannot tell "What is Xiaomi's revenue in Nigeria?" from a
question the articles answer: the Africa passages are close either way. These checks catch
the common cases without a model:

* the question names something the retrieved passages never mention (a capitalised name
  or an acronym such as "Nigeria" or "CEO");
* the question asks for a kind of answer (`asked_for`): a figure of what is counted ("how
  many followers"), a date ("when"), a name ("who", "which brands"). Extractive answers keep
  only sentences that give it (`gives`), so none fitting means no answer;
* a figure asked about a name that is not the passages' topic must be that name's: in the
  clause that gives the figure or the one before ("Transsion, which holds 51%").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from rag.models import Hit

_NAME = re.compile(r"(?<![\w'’])([A-Z][a-zA-Z0-9]*(?:[-'’][A-Za-z0-9]+)*)")
_QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how is are was were did does do can could "
    "will would should in on at for of the a an and or if".split()
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|"
    r"million|billion|half|first|second|third|quarter)\b",
    re.IGNORECASE,
)
_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_FULL_MONTHS = _MONTHS.split()[:12]
_MONTH_WORDS = frozenset(_MONTHS.split())
_DATE = re.compile(
    rf"\b(({'|'.join(_FULL_MONTHS)})\b|({'|'.join(_MONTHS.split()[12:])})\.? \d"
    r"|(19|20)\d\d\b|\d{1,2}/\d{1,2})",
    re.I,
)  # "Jun" alone is Lei Jun, not June
_FIGURES = "percentage|share|number|rank|ranking|price|cost|revenue|sales"
_ASKS_NUMBER = re.compile(
    rf"^\s*how (many|much)\b|\bwhat(?: is| are|'s)?(?: the)?(?: [\w-]+'s)?(?: market| total)? "
    rf"(?P<figure>{_FIGURES})\b",
    re.I,
)
_ASKS_RANK = re.compile(r"\bwhere (?:does|do|did|is|are) .*\brank", re.I)  # "where does X rank"
_ASKS_DATE = re.compile(r"^\s*when\b|\b(what|which) (date|day|year|month)\b", re.I)
_ABOUT_REPORTING = re.compile(
    r"\b(report|publish|outlet|news|newspaper|wrote)|(?<!social )\bmedia\b", re.I
)
_PLACE_KINDS = "city|cities|town|towns|country|countries"
_NAME_KINDS = (
    f"{_PLACE_KINDS}|company|companies|firm|firms|brand|brands|vendor|vendors|"
    "platform|platforms|executive|executives|person|people|competitor|competitors|rival|rivals|"
    "model|models|product|products"
)


def _which(kinds: str) -> str:
    """'which/what [up to two words] <kind>' ("which social media platform")."""
    return rf"\b(which|what)(\s+\w+){{0,2}}?\s+({kinds})\b"


_ASKS_NAME = re.compile(rf"^\s*(who|whom|whose)\b|\b(name|names) of\b|{_which(_NAME_KINDS)}", re.I)
# "which city/country": a continent named in a sentence does not answer it
_ASKS_PLACE = re.compile(_which(_PLACE_KINDS), re.I)
_CONTINENTS = frozenset(
    {
        *"africa asia europe america oceania antarctica".split(),
        *("north america", "south america", "latin america", "middle east", "the middle east"),
        *("east africa", "west africa", "north africa", "southern africa", "southeast asia"),
    }
)
# "how many <counted thing>": the thing counted, unless the next word is a verb or "of"
_COUNTED = re.compile(r"^\s*how (?:many|much)\s+([A-Za-z][\w-]*)", re.I)
_NOT_COUNTED = frozenset("of is are was were did does do has have had will can could would".split())
_SHARE = re.compile(r"%|\bper ?cent|\bshare\b", re.I)
# "how much does it cost", "what is the price": the answer is an amount of money
_ASKS_PRICE = re.compile(
    r"^\s*how much\b.*\b(cost|costs|pay|paid|charge|charged|sell for|sold for|priced?)\b"
    r"|\b(price|cost)\b",
    re.I,
)
_MONEY = re.compile(
    r"[$€£¥₹]\s?\d|\d[\d,.]*\s?(?:k|m|bn|million|billion)?\s?(?:euros?|dollars?|yuan|"
    r"pounds?|yen|rupees?|francs?|won|roubles?|rubles?|usd|eur|gbp|cny|rmb)\b"
    r"|\b(?:usd|eur|gbp|cny|rmb|us\$)\s?\d|\d\s?(?:元|美元|欧元|英镑|日元)",
    re.I,
)
_ACRONYM = re.compile(r"[A-Z]{2,5}s?")  # "KOL", "CEO", "OPPO": not a person's or place's name


# Chinese questions: what kind of answer they ask for (no capitals to find names by, so a
# Chinese "who" is never refused for want of a new name).
_ZH_ASKS_DATE = re.compile(r"什么时候|何时|哪一?天|哪一?年|几月|几号|日期|时间")
_ZH_ASKS_FIGURE = re.compile(
    r"多少|几[个位名次届场支家岁年]|多大|多高|多长|多重|多远|比例|增长率|增速|票房|震级|排名|第几"
)
_ZH_ASKS_NAME = re.compile(r"谁|哪位|哪个人|叫什么|名字|哪[个家支所]|哪里|在哪|哪国|哪座")
_ZH_DATE = re.compile(r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{4}-\d{1,2}-\d{1,2}")
_ZH_NUMBER = re.compile(r"\d|[一二两三四五六七八九十百千万亿]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


SENTENCE_GATE_OFF = 1.01  # above any cosine


def on_topic(hit: Hit, threshold: float, sentence_threshold: float = SENTENCE_GATE_OFF) -> bool:
    """The passage is similar enough to the question, or one of its sentences is."""
    return hit.score >= threshold or hit.sentence >= sentence_threshold


def retrieval_is_confident(
    hits: list[Hit], threshold: float, sentence_threshold: float = SENTENCE_GATE_OFF
) -> bool:
    """Some passage (or a sentence of one) is similar enough to the question (cosine,
    whatever its fused rank)."""
    return any(on_topic(h, threshold, sentence_threshold) for h in hits)


# "how many", "when", "who", "which": one answer (a broad question wants a description)
_FACTOID = re.compile(
    r"^\s*(how (many|much|long|old)|when|who|whom|whose|which|where|"
    r"what (percentage|share|date|day|year|month|number|rank|place|price))\b",
    re.IGNORECASE,
)


def asks_one_fact(question: str) -> bool:
    """The (last) question opens like a factoid one ("how many", "when", "who", "which")."""
    return bool(_FACTOID.search(last_question(question)))


def is_broad(question: str) -> bool:
    """The (last) question asks for a description or reasons ("What is Xiaomi's strategy in
    Africa?", "Why ...?", "小米在非洲的战略是什么？"), not for one fact of a kind."""
    return not asks_one_fact(question) and asked_for(question) is None


class Asked(NamedTuple):
    """What kind of answer a question wants: "figure" (of `counted`), "date" or "name"."""

    kind: str
    counted: str | None = None


def asked_for(question: str) -> Asked | None:
    """The answer kind of a factoid question; None for broad ones ("why", "what is the
    strategy") and for questions about reporting, which a citation's outlet and date answer."""
    return None if about_reporting(question) else asked_kind(question)


def about_reporting(question: str) -> bool:
    """The (last) question asks who reported or published something ("Which outlet ...?")."""
    return bool(_ABOUT_REPORTING.search(last_question(question)))


def asked_kind(question: str) -> Asked | None:
    """The kind of answer the (last) question asks for, reporting questions included."""
    question = last_question(question)
    if len(_HAN.findall(question)) >= 2:
        return _zh_asked_kind(question)
    if _ASKS_DATE.search(question):
        return Asked("date")
    if _ASKS_RANK.search(question):
        return Asked("figure", "rank")
    figure = _ASKS_NUMBER.search(question)
    if figure and _ASKS_PRICE.search(question):
        return Asked("figure", "price")
    if figure:
        counted = _COUNTED.search(question)
        word = (counted.group(1) if counted else figure.group("figure") or "").lower()
        return Asked("figure", None if not word or word in _NOT_COUNTED else word)
    if _ASKS_NAME.search(question):
        return Asked("name")
    return None


def _zh_asked_kind(question: str) -> Asked | None:
    """The kind of answer a Chinese question asks for ("什么时候" a date, "多少" a figure,
    "谁"/"哪里" a name)."""
    if _ZH_ASKS_DATE.search(question):
        return Asked("date")
    if _ZH_ASKS_FIGURE.search(question):
        return Asked("figure")
    if _ZH_ASKS_NAME.search(question):
        return Asked("name")
    return None


def _same_word(a: str, b: str) -> bool:
    """One word is the other with a suffix ("African" and "Africa", "Xiaomi's")."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short[: max(4, len(short) - 1)])


def last_question(text: str) -> str:
    """The final question of a text that may lead with earlier turns ("What did Lei Jun talk
    about? How many followers did he lose?" → the second)."""
    return re.split(r"(?<=[?？])\s+", text.strip())[-1]


def gives(asked: Asked, sentence: str, question: str) -> bool:
    """Whether `sentence` holds the kind of answer `question` asks for: a date; a figure
    next to what is counted ("290,000 followers" for "how many followers"); a name the
    question does not already contain. A Chinese sentence gives a date or figure when it
    has one; any Chinese sentence may give a name (they cannot be told apart from words)."""
    if _HAN.search(sentence) and len(_HAN.findall(question)) >= 2:
        if asked.kind == "date":
            return bool(_ZH_DATE.search(sentence) or _DATE.search(sentence))
        if asked.kind == "figure":
            return _ZH_NUMBER.search(sentence) is not None
        return True
    if asked.kind == "date":
        return _DATE.search(sentence) is not None
    if asked.kind == "figure":
        if not _NUMBER.search(sentence):
            return False
        if asked.counted in ("percentage", "share"):
            return _SHARE.search(sentence) is not None
        if asked.counted in ("price", "cost"):
            return _MONEY.search(sentence) is not None
        return asked.counted is None or _mentions(sentence, asked.counted)
    names = new_names(sentence, question)
    if _ASKS_PLACE.search(last_question(question)):
        names = [n for n in names if n.lower() not in _CONTINENTS]
    return bool(names)


def new_names(sentence: str, question: str) -> list[str]:
    """Runs of capitalised words in `sentence` that share no word with `question` (month
    names and acronyms such as "KOL" aside)."""
    asked = {w.lower() for w in names_in(question)} | {w.lower() for w in question.split()}
    asked |= set(_MONTHS.split())  # "In August, ..." names no one
    runs: list[list[str]] = []
    last_end = -2
    for n, match in enumerate(_NAME.finditer(sentence)):
        word = match.group(1)
        if n == 0 and match.start() == 0 and word.lower() in _QUESTION_WORDS:
            continue  # "The", "In" opening the sentence
        if runs and sentence[last_end : match.start()] == " ":
            runs[-1].append(word)
        else:
            runs.append([word])
        last_end = match.end()
    found = []
    for run in runs:
        words = [w.rstrip("'’s") if w.endswith(("'s", "’s")) else w for w in run]
        known = any(_same_word(w.lower(), a) for w in words for a in asked)
        if known or all(_ACRONYM.fullmatch(w) for w in words):
            continue
        found.append(" ".join(words))
    return found


def names_in(question: str) -> list[str]:
    """Capitalised words and acronyms of a question, except its first word and wh-words."""
    names = []
    for n, match in enumerate(_NAME.finditer(question)):
        word = match.group(1)
        if (n == 0 and match.start() == len(question) - len(question.lstrip())) or (
            word.lower() in _QUESTION_WORDS or word.lower() in _MONTH_WORDS
        ):
            continue
        names.append(word.rstrip("'’s") if word.endswith(("'s", "’s")) else word)
    return names


def _mentions(text: str, name: str) -> bool:
    """`name` occurs in `text` (case-insensitive; "African" and "Xiaomi's" count for longer
    names through a shared prefix)."""
    key = name.lower()
    if len(key) > 5:
        key = key[: len(key) - 2]
    return re.search(rf"\b{re.escape(key)}", text.lower()) is not None


def unanswerable_reason(
    question: str, passages: list[str], sentences: list[str], sources: Sequence[str] = ()
) -> str | None:
    """Why the chosen sentences cannot answer the question, or None when nothing is amiss.

    `sources` ("<outlet> <date>" of each cited passage) count as part of the answer for
    questions about reporting: a citation shows them ("Who reported it, and when?").
    """
    corpus = "\n".join(passages)
    missing = [n for n in names_in(question) if not _mentions(corpus, n)]
    if missing:
        return f"the articles do not mention {', '.join(missing)}"
    shown = [*sentences, *sources] if _ABOUT_REPORTING.search(question) else sentences
    asked = asked_kind(question)
    if asked and not gives(asked._replace(counted=None), " ".join(shown), question):
        article = "an" if asked.kind[0] in "aeiou" else "a"
        return f"the question asks for {article} {asked.kind} and no retrieved sentence gives one"
    if asked and asked.kind == "figure":
        for name in names_in(last_question(question)):
            if not topical(name, passages) and not any(attributed(s, name) for s in sentences):
                return f"no retrieved sentence gives the figure for {name}"
    return None


def topical(name: str, passages: Sequence[str]) -> bool:
    """`name` is what most retrieved passages are about ("Xiaomi", "African"), so a sentence
    may leave it implicit ("the company ranks third")."""
    return sum(_mentions(p, name) for p in passages) > len(passages) / 2


def attributed(sentence: str, name: str) -> bool:
    """A figure in `sentence` belongs to `name`: the name is in the clause that gives the
    figure or in the clause just before it ("Transsion, which holds 51%"), not merely
    elsewhere in the sentence ("ranks third with 14%, following Transsion and Samsung")."""
    clauses = re.split(r"[,;:]\s+|\s+[-–—]\s+", sentence)
    return any(
        _NUMBER.search(clause) and any(_mentions(c, name) for c in clauses[max(0, n - 1) : n + 1])
        for n, clause in enumerate(clauses)
    )
