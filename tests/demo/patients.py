"""A made-up practice of patients, for tests, the benchmark and demonstrations.

Never real people: names are drawn from common Australian names and from
invented surnames, dates and identifiers are random (identifiers valid by
their checks). Households make the near-duplicates a real practice has:
twins with one birthday, fathers and sons with one name, women whose
surname changed at marriage, and families sharing a Medicare card.

:func:`misspelled_queries` types searches the way reception does (typos,
short forms, partial names, day and month swapped), each with the patient
meant, to measure how often matching puts the right patient first.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from clinfile.app.patients.details import PatientDetails
from clinfile.app.patients.identifiers import IHI_PREFIX, luhn_check_digit, medicare_check_digit
from clinfile.app.patients.names import nicknames

COMMON_SURNAMES = """
smith jones williams brown wilson taylor johnson white martin anderson thompson nguyen
thomas walker harris lee ryan robinson kelly king davis wright evans roberts green hall
wood jackson clarke patel khan lewis james phillips mitchell turner baker murphy hill
campbell cooper scott young allen morris moore edwards ward watson wang chen zhang liu
tran le pham huynh hoang phan vu singh kaur sharma kumar shah ali ahmed hussain
papadopoulos nikolaidis georgiou rossi russo ferrari esposito bianchi romano colombo
ricci marino greco bruno gallo costa fontana conti khoury haddad saleh nasser
obrien oconnor murray mcdonald stewart macdonald fraser reid ross graham henderson
hamilton gray bell kennedy hughes collins morgan carter morrison dixon hunt palmer
mason holmes mills richardson shaw simpson chapman fletcher russell barker pearce
webb ellis harvey lloyd burns fisher stevens marshall knight matthews price bennett
grant owen kerr lawson wallace sutherland payne fox black berry ross ramsay hart
cunningham butler sullivan dunn lynch byrne kavanagh doyle walsh duffy quinn
"""

GIVEN_FEMALE = """
olivia charlotte amelia isla mia ava grace chloe sophie emily ella zoe ruby lily
sarah emma jessica hannah lauren megan rebecca rachel amy kate laura elizabeth
joanne josephine margaret patricia susan christine jennifer karen linda helen anne
mary catherine kathryn deborah michelle nicole melissa kylie natalie lisa julie
alison fiona tracey kim joan dorothy betty shirley barbara jean judith jane
mai linh thi lan hoa anh priya ananya fatima aisha maria sofia giulia eleni
georgia alexandra victoria isabella madison jasmine mikayla tahlia abbey jade
"""

GIVEN_MALE = """
oliver william jack noah leo henry charlie thomas james lucas ethan liam lachlan
joshua daniel matthew benjamin samuel nicholas andrew michael david john robert
peter paul mark stephen christopher anthony richard joseph edward george harry
alexander jonathan timothy gregory kenneth ronald donald raymond frank patrick
brian kevin gary wayne dean craig shane darren jason luke nathan ryan adam
minh duc tuan hung quang raj arjun rahul mohammed ahmed omar ali giuseppe marco
nikolaos dimitri kostas archie hamish angus callum cooper jaxon riley mason
"""

_SYLLABLES = ("ab ad al an ar ba be bo ca co da de di do el en er fa fe ga go ha he "
              "ka ke ki ko la le li lo ma me mi mo na ne ni no ol on or pa pe ra re "
              "ri ro sa se si so ta te ti to va ve vi wa we ya yo za zo").split()
_ENDINGS = ("son ton ley field worth wick ridge more lan ski ova ich berg stein ini elli "
            "opoulos akis ez ov ard ell er man").split()

SUBURBS = (
    ("Carlton", "VIC", "3053"), ("Fitzroy", "VIC", "3065"), ("Brunswick", "VIC", "3056"),
    ("Footscray", "VIC", "3011"), ("Richmond", "VIC", "3121"), ("Box Hill", "VIC", "3128"),
    ("Dandenong", "VIC", "3175"), ("Geelong", "VIC", "3220"), ("Ballarat", "VIC", "3350"),
    ("Parramatta", "NSW", "2150"), ("Newtown", "NSW", "2042"), ("Bondi", "NSW", "2026"),
    ("Cabramatta", "NSW", "2166"), ("Penrith", "NSW", "2750"), ("Manly", "NSW", "2095"),
    ("Hornsby", "NSW", "2077"), ("Wollongong", "NSW", "2500"), ("Newcastle", "NSW", "2300"),
    ("Toowong", "QLD", "4066"), ("Indooroopilly", "QLD", "4068"), ("Cairns", "QLD", "4870"),
    ("Townsville", "QLD", "4810"), ("Southport", "QLD", "4215"), ("Ipswich", "QLD", "4305"),
    ("Fremantle", "WA", "6160"), ("Subiaco", "WA", "6008"), ("Joondalup", "WA", "6027"),
    ("Glenelg", "SA", "5045"), ("Norwood", "SA", "5067"), ("Elizabeth", "SA", "5112"),
    ("Sandy Bay", "TAS", "7005"), ("Launceston", "TAS", "7250"), ("Belconnen", "ACT", "2617"),
    ("Woden", "ACT", "2606"), ("Darwin City", "NT", "0800"), ("Alice Springs", "NT", "0870"),
)
_STREETS = ("High St", "Station Rd", "Church St", "Park Ave", "Victoria St", "King St",
            "George St", "Queen St", "Elizabeth St", "Railway Pde", "Main Rd", "Beach Rd")
_KEY_NEIGHBOURS = dict(zip("abcdefghijklmnopqrstuvwxyz", (
    "sq", "vn", "xv", "sf", "wr", "dg", "fh", "gj", "uo", "hk", "jl", "ko", "nk", "bm", "ip",
    "ol", "wa", "et", "ad", "ry", "yi", "cb", "qe", "zc", "tu", "xa"), strict=True))


@dataclass(frozen=True)
class KnownQuery:
    """A search typed with mistakes, and the record number of the patient meant."""

    text: str
    record_number: str
    kind: str


def valid_medicare(rng: random.Random) -> str:
    """Return a random 10-digit Medicare card number whose check digit is right."""
    first = str(rng.randint(2, 6)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
    return first + str(medicare_check_digit(first)) + str(rng.randint(1, 9))


def valid_ihi(rng: random.Random) -> str:
    """Return a random IHI with the right prefix and Luhn check digit."""
    partial = IHI_PREFIX + "".join(str(rng.randint(0, 9)) for _ in range(9))
    return partial + luhn_check_digit(partial)


class SyntheticPractice:
    """Makes households of invented patients, the same ones for the same seed."""

    def __init__(self, seed: int = 1, *, today: date = date(2026, 1, 1)) -> None:
        self._rng = random.Random(seed)
        self._today = today
        common = COMMON_SURNAMES.split()
        self._surnames = common
        self._surname_weights = [1.0 / (rank + 8) for rank in range(len(common))]
        self._female = GIVEN_FEMALE.split()
        self._male = GIVEN_MALE.split()
        self._next_record = 100001

    def patients(self, count: int) -> list[PatientDetails]:
        """Return ``count`` patients made household by household."""
        made: list[PatientDetails] = []
        while len(made) < count:
            made.extend(self._household())
        return made[:count]

    # --- households -------------------------------------------------------------------

    def _household(self) -> list[PatientDetails]:
        rng = self._rng
        surname = self._surname()
        suburb, state, postcode = rng.choice(SUBURBS)
        address = f"{rng.randint(1, 240)} {rng.choice(_STREETS)}"
        card = valid_medicare(rng)[:10]
        phone = f"04{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
        shared = dict(suburb=suburb, state=state, postcode=postcode, address=address,
                      phone=phone, medicare_number=card)
        people: list[PatientDetails] = []
        father_born = self._birth_date(25, 85)
        father_name = rng.choice(self._male)
        people.append(self._person(surname, father_name, "M", father_born, shared))
        if rng.random() < 0.7:
            maiden = self._surname()
            mother = self._person(surname, rng.choice(self._female), "F",
                                  self._near(father_born, 6), shared)
            if maiden != surname and rng.random() < 0.6:
                mother = replace(mother, previous_names=(maiden.title(),))
            people.append(mother)
        youngest_parent_age = (self._today - father_born).days // 365
        if youngest_parent_age > 22:
            for _ in range(rng.choice((0, 0, 1, 1, 2, 2, 3))):
                people.extend(self._children(surname, father_name, father_born, shared))
        return [replace(p, medicare_irn=str(i + 1) if i < 9 else "")
                for i, p in enumerate(people)]

    def _children(self, surname: str, father_name: str, father_born: date,
                  shared: dict) -> list[PatientDetails]:
        rng = self._rng
        earliest = father_born + timedelta(days=365 * 20)
        latest = min(self._today - timedelta(days=30), father_born + timedelta(days=365 * 45))
        if latest <= earliest:
            return []
        born = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
        sex = rng.choice("MF")
        name = self._given(sex)
        if sex == "M" and rng.random() < 0.06:
            name = father_name
        child = self._person(surname, name, sex, born, shared)
        if rng.random() < 0.04:
            twin_sex = rng.choice("MF")
            twin_name = self._given(twin_sex)
            while twin_name == name:
                twin_name = self._given(twin_sex)
            return [child, self._person(surname, twin_name, twin_sex, born, shared)]
        return [child]

    def _person(self, surname: str, given: str, sex: str, born: date, shared: dict
                ) -> PatientDetails:
        rng = self._rng
        record = str(self._next_record)
        self._next_record += 1
        middle = f" {self._given(sex).title()}" if rng.random() < 0.4 else ""
        age = (self._today - born).days // 365
        dva = ""
        if age > 65 and rng.random() < 0.03:
            dva = f"{rng.choice('NVQWST')}X{rng.randint(10000, 999999)}"
        return PatientDetails(
            family_name=self._styled_surname(surname), given_names=given.title() + middle,
            birth_date=born, sex=sex, record_number=record,
            ihi=valid_ihi(rng) if rng.random() < 0.6 else "", dva_number=dva,
            source="synthetic", **shared)

    def _surname(self) -> str:
        rng = self._rng
        roll = rng.random()
        if roll < 0.55:
            return rng.choices(self._surnames, self._surname_weights)[0]
        if roll < 0.6:
            first, second = rng.choices(self._surnames, self._surname_weights, k=2)
            if first != second:
                return f"{first}-{second}"
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 2))) \
            + rng.choice(_ENDINGS)

    @staticmethod
    def _styled_surname(surname: str) -> str:
        if surname.startswith("mc") and len(surname) > 2:
            return "Mc" + surname[2:].title()
        if surname.startswith("o") and surname[1:] in ("brien", "connor"):
            return "O'" + surname[1:].title()
        return "-".join(part.title() for part in surname.split("-"))

    def _given(self, sex: str) -> str:
        return self._rng.choice(self._male if sex == "M" else self._female)

    def _birth_date(self, youngest: int, oldest: int) -> date:
        days = self._rng.randint(youngest * 365, oldest * 365)
        return self._today - timedelta(days=days)

    def _near(self, born: date, years: int) -> date:
        shifted = born + timedelta(days=self._rng.randint(-years * 365, years * 365))
        return min(shifted, self._today - timedelta(days=365 * 18))


# --- searches typed with mistakes ------------------------------------------------------

def typo(word: str, rng: random.Random) -> str:
    """Make one slip of the kind people make typing a name."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("neighbour", "drop", "double", "swap"))
    if kind == "neighbour" and word[i] in _KEY_NEIGHBOURS:
        return word[:i] + rng.choice(_KEY_NEIGHBOURS[word[i]]) + word[i + 1:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]


def _written(born: date, rng: random.Random) -> str:
    style = rng.random()
    if style < 0.5:
        return f"{born.day}/{born.month}/{born.year % 100:02d}"
    if style < 0.85:
        return f"{born.day:02d}/{born.month:02d}/{born.year}"
    return born.strftime("%d.%m.%Y")


def _one_digit_slip(born: date, rng: random.Random) -> date:
    text = born.strftime("%d%m%Y")
    for _ in range(50):
        i = rng.choice((0, 1, 3, 6, 7))
        changed = text[:i] + str(rng.randint(0, 9)) + text[i + 1:]
        try:
            slipped = date(int(changed[4:]), int(changed[2:4]), int(changed[:2]))
        except ValueError:
            continue
        if slipped != born:
            return slipped
    return born


def misspelled_queries(patients: list[PatientDetails], count: int, seed: int = 7
                       ) -> list[KnownQuery]:
    """Type ``count`` searches for randomly chosen patients, with the slips people make."""
    rng = random.Random(seed)
    names = [(p.family_name.casefold(), p.given_names.casefold()) for p in patients]
    name_counts: dict[tuple[str, str], int] = {}
    for key in names:
        name_counts[key] = name_counts.get(key, 0) + 1
    made: list[KnownQuery] = []
    while len(made) < count:
        chosen = rng.randrange(len(patients))
        patient = patients[chosen]
        family = patient.family_name.casefold().replace("'", "")
        given = patient.given_names.split()[0].casefold()
        born: date = patient.birth_date
        roll = rng.random()
        parts = family.split("-")
        if roll < 0.25:
            kind, text = "typo in surname", f"{typo(family, rng)} {given} {_written(born, rng)}"
        elif roll < 0.35 and nicknames(given):
            short = rng.choice(sorted(nicknames(given)))
            kind, text = "short first name", f"{short} {family} {_written(born, rng)}"
        elif roll < 0.5:
            kind = "partial names"
            text = f"{family[:rng.randint(4, 5)]} {given[:rng.randint(2, 3)]} {_written(born, rng)}"
        elif roll < 0.6 and born.day <= 12 and born.day != born.month:
            swapped = born.replace(day=born.month, month=born.day)
            kind, text = "day and month swapped", f"{given} {family} {_written(swapped, rng)}"
        elif roll < 0.7:
            kind = "date one digit out"
            text = f"{family} {typo(given, rng)} {_written(_one_digit_slip(born, rng), rng)}"
        elif roll < 0.75 and patient.medicare_number and patient.medicare_irn:
            number = patient.medicare_number
            kind, text = "Medicare number", \
                f"{number[:4]} {number[4:9]} {number[9]} {patient.medicare_irn}"
        elif roll < 0.8:
            kind, text = "record number", patient.record_number
        elif roll < 0.85 and len(parts) > 1:
            kind, text = "part of a double surname", \
                f"{rng.choice(parts)} {given} {_written(born, rng)}"
        elif roll < 0.9 and patient.previous_names:
            kind = "previous surname"
            text = f"{given} {patient.previous_names[0].casefold()} {_written(born, rng)}"
        elif name_counts[names[chosen]] == 1 and roll >= 0.9:
            kind = "name only"
            full = patient.given_names.casefold()
            text = f"{typo(full.split()[0], rng)} {' '.join(full.split()[1:])} {family}".strip()
        else:
            continue
        made.append(KnownQuery(" ".join(text.split()), patient.record_number, kind))
    return made
