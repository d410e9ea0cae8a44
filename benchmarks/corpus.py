"""A deterministic synthetic corpus: interview transcripts, a codebook, codings, cases.

Everything comes from ``random.Random(seed)``, so a given :class:`Spec` always yields the same
project (names, text, offsets), whichever machine builds it. Building is not measured; it
bulk-inserts through ``project.edit()`` so that even the 10x corpora take seconds.

Transcripts look like real ones: speaker turns ("Interviewer: ...", "P07: ..."), answers of
several sentences, some answers spread over more than one paragraph, a little emoji (including
ZWJ sequences and skin tones, which are two UTF-16 units or more) and passages in Greek,
Cyrillic, Chinese, Arabic and Hindi. Codings run from one sentence to a whole paragraph, by
two coders, and overlap the way team coding does (the second coder recodes part of the first
coder's passages with shifted boundaries).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

GENERATOR_VERSION = 3  # 3: corpora built with the passages' (document, end, start) indexes
SEED = 20261122
REPO = Path(__file__).resolve().parents[1]

# ------------------------------------------------------------------------------ vocabulary

_WORDS = """
the a and to of in that it was we I you they my our because really just so but when then
about think felt know mean people family work school money time home community village city
neighbours children parents mother father friends job shift rent landlord bus clinic doctor
nurse market church mosque temple garden river winter summer harvest festival council office
form letter phone internet app message group chat support help trust afraid proud tired
angry happy worried hopeful lonely busy careful honest difficult easy important strange normal
first last every never always sometimes often again still already almost maybe probably
started stopped moved stayed left came went talked listened waited worked paid borrowed saved
lost found asked told said heard saw needed wanted tried helped changed learned remember
year month week day morning evening night weekend holiday street road kitchen table door
language English translation interpreter paperwork appointment queue benefit wage contract
manager colleague union training course certificate college teacher class homework uniform
""".split()
_ACCENTED = "café naïve Zürich São Paulo Kraków Łódź Müller jalapeño façade résumé Ærø".split()
_EMOJI = ["😀", "👍🏽", "❤️", "🙏", "😂", "👩‍👩‍👧", "🇬🇧", "🤷‍♀️", "🎉", "😢"]
_NON_LATIN = [
    "ευχαριστώ πολύ για όλα",  # Greek
    "спасибо большое, это важно",  # Russian
    "我们的社区很重要",  # Chinese
    "شكرا جزيلا على المساعدة",  # Arabic
    "धन्यवाद, बहुत अच्छा",  # Hindi
    "ありがとうございます",  # Japanese
]
_QUESTIONS = [
    "Can you tell me about {}?",
    "How did you feel about {}?",
    "What happened with {} after that?",
    "Who helped you with {}?",
    "Could you say a bit more about {}?",
    "What does {} mean to you now?",
]
_TOPICS = [
    "your first year here",
    "the housing situation",
    "your work",
    "the school",
    "your neighbours",
    "the council",
    "money at the end of the month",
    "the language course",
    "your family back home",
    "the clinic",
    "the community centre",
    "the winter",
]

# Ten themes with three sub-codes each: forty codes, two levels.
CODEBOOK = {
    "Belonging": ["Neighbourhood ties", "Religious community", "Feeling like an outsider"],
    "Work": ["Precarious contracts", "Recognition of skills", "Workplace conflict"],
    "Housing": ["Overcrowding", "Landlords", "Moving often"],
    "Money": ["Debt", "Remittances", "Benefits"],
    "Language": ["Interpreting for family", "Courses", "Accent and discrimination"],
    "Family": ["Separation", "Children's schooling", "Care duties"],
    "Health": ["Access to services", "Mental health", "Waiting times"],
    "Institutions": ["Paperwork", "Trust in officials", "Council"],
    "Time": ["Before migration", "First months", "Plans for the future"],
    "Emotions": ["Hope", "Fear", "Pride"],
}
CASE_ATTRIBUTES = (
    ("Gender", "text"),
    ("Age", "number"),
    ("Site", "text"),
    ("Interview date", "date"),
    ("Follow-up", "boolean"),
)
_SITES = ["North", "Harbour", "Old Town", "Riverside", "Hill"]
_GENDERS = ["woman", "man", "non-binary"]


@dataclass(frozen=True)
class Spec:
    """What to generate. ``chars_per_document`` is approximate (whole paragraphs)."""

    documents: int
    chars_per_document: int
    codings: int
    cases: int = 60
    coders: int = 2
    seed: int = SEED

    @property
    def characters(self) -> int:
        return self.documents * self.chars_per_document

    def key(self) -> str:
        """Names the cached project: the spec, the generator and the schema it was built with
        (a project built before a column was added would not have it)."""
        raw = repr((GENERATOR_VERSION, _schema(), sorted(asdict(self).items())))
        return hashlib.sha1(raw.encode()).hexdigest()[:12]

    def label(self) -> str:
        return f"{self.documents} doc, {_human(self.characters)} chars, {self.codings:,} codings"


def _schema() -> str:
    """A fingerprint of the project schema (the migrations' source)."""
    source = REPO / "coder" / "core" / "migrations.py"
    return hashlib.sha1(source.read_bytes()).hexdigest()[:12]


def _human(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:g}M"
    if n >= 1_000:
        return f"{n / 1_000:g}k"
    return str(n)


# ------------------------------------------------------------------------------ text


@dataclass
class Transcript:
    text: str
    # (start, end) of each sentence of an answer, grouped by paragraph
    paragraphs: list[list[tuple[int, int]]]


def _sentence(rng: random.Random) -> str:
    n = rng.randint(6, 22)
    words = rng.choices(_WORDS, k=n)
    r = rng.random()
    if r < 0.04:
        words.insert(rng.randrange(len(words)), rng.choice(_ACCENTED))
    elif r < 0.06:
        words.insert(rng.randrange(len(words)), rng.choice(_NON_LATIN))
    s = " ".join(words)
    s = s[0].upper() + s[1:] + rng.choice(".....?!")
    if rng.random() < 0.03:
        s += " " + rng.choice(_EMOJI)
    return s


# Turn density of real interviews: about 8,700 speaker turns per MB of text (a turn every ~115
# bytes: questions, short answers, back-channel "Mm-hm."s, now and then a long answer over
# several paragraphs), as in the transcripts of ../shared/samples. Import and the document view
# scale with turns and paragraphs, so a corpus of long answers would flatter them.
TURNS_PER_MB = 8_700
_BACKCHANNEL = ["Mm-hm.", "Right.", "Okay.", "Yes.", "I see.", "Go on.", "Really?", "And then?"]
_SHORT_ANSWER = ["Yes.", "No.", "Yeah, yeah.", "Not really.", "Maybe.", "I think so.", "Mm."]


def transcript(rng: random.Random, target_chars: int, participant: str) -> Transcript:
    """An interview of about ``target_chars`` characters between an interviewer and one person,
    with the turn density of real transcripts (:data:`TURNS_PER_MB`)."""
    parts: list[str] = []
    paragraphs: list[list[tuple[int, int]]] = []
    pos = 0

    def add(s: str) -> int:
        nonlocal pos
        parts.append(s)
        start = pos
        pos += len(s)
        return start

    def turn(speaker: str) -> None:
        if parts:
            add("\n\n")
        add(speaker + ": ")

    while pos < target_chars:
        turn("Interviewer")
        if rng.random() < 0.3:
            add(rng.choice(_BACKCHANNEL))
        else:
            add(rng.choice(_QUESTIONS).format(rng.choice(_TOPICS)))
        turn(participant)
        r = rng.random()
        if r < 0.2:
            add(rng.choice(_SHORT_ANSWER))
            continue
        # An answer: mostly one or two sentences; one in ten runs over several paragraphs.
        if r < 0.9:
            shape = [rng.choice((1, 1, 2))]
        else:
            shape = [rng.randint(2, 6) for _ in range(rng.randint(2, 3))]
        for p, sentences in enumerate(shape):
            if p:
                add("\n")
            spans = []
            for i in range(sentences):
                if i:
                    add(" ")
                s = _sentence(rng)
                start = add(s)
                spans.append((start, start + len(s)))
            paragraphs.append(spans)
    return Transcript("".join(parts), paragraphs)


def text_of_size(n_bytes: int, seed: int = SEED) -> str:
    """A transcript whose UTF-8 encoding is about ``n_bytes`` long (for the import benchmark)."""
    rng = random.Random(seed)
    t = transcript(rng, int(n_bytes * 0.97), "P01").text
    while len(t.encode("utf-8")) > n_bytes:
        t = t[: t.rfind("\n\n")]
    return t + "\n"


# ------------------------------------------------------------------------------ codings


def _codings(
    rng: random.Random, docs: list[Transcript], n: int, n_codes: int, coders: int
) -> list[tuple[int, int, int, int, int]]:
    """``n`` codings as (document index, code index, coder index, start, end).

    The first coder's codings are drawn fresh; about half of the second coder's codings recode
    a first-coder passage with the same code and shifted boundaries (partial agreement), the
    rest are drawn fresh. Codes follow a Zipf-like popularity.
    """
    weights = [1 / (i + 1) ** 0.8 for i in range(n_codes)]
    codes = list(range(n_codes))
    rng.shuffle(codes)
    sizes = [len(d.text) for d in docs]
    out: list[tuple[int, int, int, int, int]] = []
    for i in range(n):
        coder = 0 if coders == 1 else (0 if i % 5 < 3 else 1 + i % (coders - 1))
        if coder and out and rng.random() < 0.5:
            d, code, _c, s, e = out[rng.randrange(len(out))]
            text_len = sizes[d]
            s = min(text_len - 1, max(0, s + rng.randint(-40, 40)))
            e = min(text_len, max(s + 1, e + rng.randint(-60, 60)))
            out.append((d, code, coder, s, e))
            continue
        d = rng.choices(range(len(docs)), weights=sizes)[0] if len(docs) > 1 else 0
        paras = docs[d].paragraphs
        para = paras[rng.randrange(len(paras))]
        r = rng.random()
        if r < 0.5:  # one sentence
            a = b = rng.randrange(len(para))
        elif r < 0.8:  # two or three sentences
            a = rng.randrange(len(para))
            b = min(len(para) - 1, a + rng.randint(1, 2))
        else:  # the whole paragraph
            a, b = 0, len(para) - 1
        code = codes[rng.choices(range(n_codes), weights=weights)[0]]
        out.append((d, code, coder, para[a][0], para[b][1]))
    return out


# ------------------------------------------------------------------------------ building


def build(path: Path, spec: Spec) -> Path:
    """Create the project file for ``spec`` at ``path`` (which must not exist)."""
    from coder.core import anchors, blocks
    from coder.core.attributes import canonical_value
    from coder.core.project import PALETTE, Project, new_guid, now
    from coder.core.text import detect_turns

    rng = random.Random(spec.seed)
    path = Path(path)
    project = Project.create(path)
    try:
        db = project.db
        stamp = now()
        docs = [
            transcript(rng, spec.chars_per_document, f"P{(i % spec.cases) + 1:02d}")
            for i in range(spec.documents)
        ]
        with project.edit():
            # Coders
            coder_ids = []
            for name in ["Amira", "Ben", "Chen", "Dana"][: spec.coders]:
                cur = db.execute(
                    "INSERT INTO coders (guid, name) VALUES (?, ?)", [new_guid(), name]
                )
                coder_ids.append(cur.lastrowid)
            # Codebook: ten themes, three sub-codes each
            code_ids = []
            for p, (theme, subs) in enumerate(CODEBOOK.items()):
                color = PALETTE[p % len(PALETTE)]
                cur = db.execute(
                    "INSERT INTO codes (guid, name, parent_id, position, color, definition,"
                    " created_at) VALUES (?, ?, NULL, ?, ?, ?, ?)",
                    [new_guid(), theme, p, color, f"Talk about {theme.lower()}.", stamp],
                )
                parent = cur.lastrowid
                code_ids.append(parent)
                for q, sub in enumerate(subs):
                    cur = db.execute(
                        "INSERT INTO codes (guid, name, parent_id, position, color, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        [new_guid(), sub, parent, q, PALETTE[(p + q + 1) % len(PALETTE)], stamp],
                    )
                    code_ids.append(cur.lastrowid)
            # Cases and their attributes
            case_ids = []
            for c in range(spec.cases):
                cur = db.execute(
                    "INSERT INTO cases (guid, name, memo) VALUES (?, ?, '')",
                    [new_guid(), f"P{c + 1:02d}"],
                )
                case_ids.append(cur.lastrowid)
            attr_ids = []
            for pos, (name, type_) in enumerate(CASE_ATTRIBUTES):
                cur = db.execute(
                    "INSERT INTO attributes (guid, name, scope, type, position)"
                    " VALUES (?, ?, 'case', ?, ?)",
                    [new_guid(), name, type_, pos],
                )
                attr_ids.append((cur.lastrowid, name, type_))
            values = []
            for case_id in case_ids:
                raw = {
                    "Gender": rng.choice(_GENDERS),
                    "Age": rng.randint(19, 78),
                    "Site": rng.choice(_SITES),
                    "Interview date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "Follow-up": rng.random() < 0.4,
                }
                for attr_id, name, type_ in attr_ids:
                    if rng.random() < 0.05:
                        continue  # a few values missing, as in real case tables
                    values.append((attr_id, case_id, canonical_value(raw[name], type_, name)))
            db.conn.executemany(
                "INSERT INTO attribute_values (attribute_id, case_id, value) VALUES (?, ?, ?)",
                values,
            )
            # Documents and their speaker turns
            doc_ids = []
            for i, t in enumerate(docs):
                case_id = case_ids[i % spec.cases] if spec.cases else None
                cur = db.execute(
                    "INSERT INTO documents (guid, name, source_name, source_format,"
                    " imported_at, memo, group_name, case_id)"
                    " VALUES (?, ?, ?, 'txt', ?, '', ?, ?)",
                    [
                        new_guid(),
                        f"Interview {i + 1:03d}",
                        f"interview-{i + 1:03d}.txt",
                        stamp,
                        _SITES[i % len(_SITES)],
                        case_id,
                    ],
                )
                doc_id = cur.lastrowid
                assert doc_id is not None
                doc_ids.append(doc_id)
                blocks.write_text(db, doc_id, t.text)
                anchors.insert(
                    db,
                    "turns",
                    ["document_id", "speaker", "start", "end"],
                    [(doc_id, u.speaker, u.start, u.end) for u in detect_turns(t.text)],
                )
            # Codings
            rows = [
                (new_guid(), doc_ids[d], code_ids[k], coder_ids[c], s, e, stamp)
                for d, k, c, s, e in _codings(rng, docs, spec.codings, len(code_ids), spec.coders)
            ]
            anchors.insert(
                db,
                "codings",
                ["guid", "document_id", "code_id", "coder_id", "start", "end", "created_at"],
                rows,
            )
        db.execute("ANALYZE")
    finally:
        project.close()
    return path


def cache_dir() -> Path:
    """Where built corpora are kept between runs (``CODER_BENCH_CACHE`` overrides)."""
    override = os.environ.get("CODER_BENCH_CACHE")
    path = Path(override) if override else REPO / "build" / "benchmark-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def ensure(spec: Spec) -> Path:
    """The cached project for ``spec``, built on first use. Treat it as read-only: copy it
    (:func:`working_copy`) before measuring anything that writes."""
    path = cache_dir() / f"corpus-{spec.key()}.coder"
    if not path.exists():
        tmp = path.with_name(path.stem + ".part.coder")
        for suffix in ("", "-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        build(tmp, spec)
        tmp.replace(path)
    return path


def working_copy(spec: Spec, folder: Path) -> Path:
    """A fresh copy of the corpus for ``spec`` in ``folder``."""
    src = ensure(spec)
    dst = Path(folder) / f"work-{spec.key()}.coder"
    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    return dst


# ------------------------------------------------------------------------------ source files


def docx_transcripts(count: int, pages: int = 10, seed: int = SEED) -> Path:
    """A folder of ``count`` .docx interviews of about ``pages`` pages each (cached)."""
    import docx

    folder = cache_dir() / f"docx-{GENERATOR_VERSION}-{seed}-{pages}"
    folder.mkdir(exist_ok=True)
    for i in range(count):
        path = folder / f"interview-{i + 1:03d}.docx"
        if path.exists():
            continue
        rng = random.Random(f"{seed}-docx-{i}")
        # A page of interview transcript is about 3,000 characters.
        t = transcript(rng, pages * 3000, f"P{i % 60 + 1:02d}")
        document = docx.Document()
        document.add_heading(f"Interview {i + 1:03d}", level=1)
        for line in t.text.split("\n"):
            if line:
                document.add_paragraph(line)
        tmp = path.with_suffix(".part")
        document.save(str(tmp))
        tmp.replace(path)
    return folder
