"""Names reduced to comparable tokens, common short forms, and a sound-alike key.

Matching compares tokens, not whole strings: "Smith-Jones" is the tokens
``smith`` and ``jones``, "O'Brien" is ``obrien``, and "Nguyễn" is ``nguyen``,
so a hyphenated or double surname is found by either part and accents typed
or not typed make no difference.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

from clinfile.app.escaping import escaped

_SPLIT = re.compile(r"[\s\-,;/]+")
_DROP = re.compile(r"[^a-z0-9]")
TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "mstr", "master", "sr", "jr",
                    "snr", "jnr"})

# Groups of given names that people use for one another. Each group is one
# person's possible names; a name may sit in several groups (Jo: Joanne,
# Josephine, Joseph).
_NICKNAME_GROUPS = """
william bill billy will willy liam wil
elizabeth liz lizzie beth betty bess bessie eliza libby elisabeth lisa elise
joanne jo joanna jo-anne joann
josephine jo josie
joseph joe joey jo
robert bob bobby rob robbie bert
richard rick ricky dick rich richie
margaret maggie meg peggy marg madge margie greta
katherine kate katie kathy cathy catherine kathryn kat kath cate kitty
christopher chris kit topher
christine chris chrissy christina tina
michael mike mick mickey mikey
james jim jimmy jamie jimbo
john jack johnny jon
jonathan jon jonny nathan
edward ed eddie ted teddy ned
thomas tom tommy
anthony tony ant
alexander alex alec sandy xander al
alexandra alex sandra lexie sandy
andrew andy drew
benjamin ben benny benji
charles charlie chuck chas
daniel dan danny
david dave davey
nicholas nick nicky nic
matthew matt matty
patrick pat paddy
patricia pat patty trish tricia
peter pete
stephen steve stevie steven
samuel sam sammy
samantha sam sammy
timothy tim timmy
zachary zach zac
gregory greg
jeffrey jeff
kenneth ken kenny
lawrence larry laurie
leonard len lenny leo
ronald ron ronnie
donald don donnie
douglas doug
gerald gerry jerry
harold harry hal
henry harry hank hal
frederick fred freddie freddy
francis frank frankie fran
frances fran frankie fanny
philip phil pip
raymond ray
vincent vince vinny
rebecca becky bec becca
deborah deb debbie debra
susan sue susie suzanne
suzanne sue suzie susan
jennifer jen jenny jenn
jessica jess jessie
victoria vicky tori vic
virginia ginny ginger
dorothy dot dottie
eleanor ellie nell nora elly
helen nell nellie
ellen nell ellie
abigail abby abbie gail
amanda mandy
barbara barb babs
caroline carol carrie caz
carolyn carol carrie
cynthia cindy
jacqueline jackie jacqui
kimberley kim kimberly
lauren laura
louise lou lulu
lucinda lucy cindy
madeleine maddie maddy madeline madison
megan meg
melissa mel missy
melanie mel
natalie nat
pamela pam
penelope penny pen
rosemary rose rosie
rosalind ros roz
sarah sally sara
theresa tess terri tessa teresa
valerie val
wendy gwen
annabelle anna annie belle
anne ann annie nan nancy anna
mary molly polly mae
isabella bella izzy isabel isabelle
gabrielle gabby gabi
olivia liv livvy
sophia sophie
charlotte charlie lottie
georgina georgie gina
jacob jake
joshua josh
nathaniel nat nate
oliver ollie
sebastian seb
tobias toby
maximilian max
maxwell max
archibald archie
augustus gus
angus gus
terence terry
bartholomew bart
cornelius neil
mohammed mohammad muhammad mohamed mo
"""


def fold(text: str) -> str:
    """Lower-case a name and remove accents: "Nguyễn" becomes "nguyen"."""
    text = text or ""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def tokens(text: str) -> list[str]:
    """Split a name into comparable tokens, dropping titles and punctuation."""
    return list(name_tokens(text))


@lru_cache(maxsize=65536)
def name_tokens(text: str) -> tuple[str, ...]:
    """Tokens of a stored name; names repeat across a practice, so each is split once.

    Each token is interned: "joanne" in a hundred thousand patients' names is
    then one string in memory, not thousands.
    """
    found = []
    for part in _SPLIT.split(fold(text)):
        token = _DROP.sub("", part)
        if token and token not in TITLES:
            found.append(sys.intern(token))
    return tuple(found)


@lru_cache(maxsize=1)
def _nickname_table() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for line in _NICKNAME_GROUPS.strip().splitlines():
        group = {_DROP.sub("", name) for name in line.split()}
        for name in group:
            table.setdefault(name, set()).update(group)
    return {name: frozenset(group - {name}) for name, group in table.items()}


def nicknames(token: str) -> frozenset[str]:
    """Return the other names a given name commonly stands for or is shortened to."""
    return _nickname_table().get(token, frozenset())


def are_nicknames(a: str, b: str) -> bool:
    """Return whether two given-name tokens are forms of one another (Bill and William)."""
    return b in _nickname_table().get(a, ())


_SOUND_RULES = (
    (re.compile(r"^kn|^gn|^pn|^wr|^ps"), lambda m: m.group(0)[1]),
    (re.compile(r"^x"), lambda m: "s"),
    (re.compile(r"ph"), lambda m: "f"),
    (re.compile(r"gh"), lambda m: ""),
    (re.compile(r"ck|q"), lambda m: "k"),
    (re.compile(r"c(?=[eiy])"), lambda m: "s"),
    (re.compile(r"c"), lambda m: "k"),
    (re.compile(r"x"), lambda m: "ks"),
    (re.compile(r"z"), lambda m: "s"),
    (re.compile(r"dg"), lambda m: "j"),
    (re.compile(r"(?<=[^aeiou])h"), lambda m: ""),
    (re.compile(r"v"), lambda m: "f"),
    (re.compile(r"(.)\1+"), lambda m: m.group(1)),
)


@lru_cache(maxsize=65536)
def sound_key(token: str) -> str:
    """Return a rough key of how a name sounds, so Smyth, Smith and Smithe meet.

    The first letter is kept (after spelling-only rewrites such as ph to f),
    then vowels, h, w and y are dropped and repeated letters collapsed.
    """
    text = token
    for pattern, replace in _SOUND_RULES:
        text = pattern.sub(replace, text)
    if not text:
        return ""
    head, tail = text[0], re.sub(r"[aeiouwyh]", "", text[1:])
    return re.sub(r"(.)\1+", r"\1", head + tail)


def reception_name(family_name: str, given_names: str) -> str:
    r"""A patient's name as reception and the clinical record write it: "NGUYEN, Mai".

    This is the one way a patient's name reaches the window, the command
    line and the printed pages, so it is shown through :func:`escaped`: a
    direction override or other control in a name from another system's
    patient list is written out as ``\u202e``, as Clinfile shows such marks
    in file names, and cannot turn round the date of birth or record number
    printed after it. Escaping rather than isolating the name between
    U+2068 and U+2069: an isolate hides the mark instead of showing that the
    name carries one, is undone by a stray U+2069 inside the name, and is
    lost when a long name is cut to fit. Names in any script, Hebrew and
    Arabic among them, are left as written.
    """
    given = f", {given_names}" if given_names else ""
    return escaped(f"{family_name.upper()}{given}" if family_name else given_names)


def named_with_record(family_name: str, given_names: str, record_number: str) -> str:
    """A patient's name and record number, enough to tell them from anyone else."""
    name = reception_name(family_name, given_names) or "Name not recorded"
    return f"{name} (record {record_number})" if record_number else name
