"""Swedish phrases shared by the talking points, the national summary and the briefs.

The rounding rule (a data desk's): every difference is computed from the exact stored values
(the national and county averages are exact means, never pre-rounded) and rounded half up only when
written. So "62,3 mot 58,85" gives "3,5 enheter över" (62,3 − 58,85 = 3,45 → 3,5), even though
subtracting the two displayed numbers (62,3 − 58,9) would give 3,4. The sentence states the true
difference to the decimal; rounding each side first would add two rounding errors and can even
say "i nivå med" about a real gap of 0,09. A difference that rounds to 0,0 is said as "i nivå med",
never as "0,0 över".
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..formatting import format_number, format_signed, round_half_up

#: The seven quality aspects of Hemtjänstindex, as the questions name them.
ASPECTS = (
    "information och delaktighet",
    "tillgänglighet och kontinuitet",
    "bemötande, integritet och jämlikhet",
    "trygghet, gemenskap och meningsfullhet",
    "förebyggande och hälsofrämjande arbete",
    "vård i hemmet",
    "samverkan med externa aktörer",
)

#: Questions a pensioner council can ask about a weak sub-index: (quality aspect, question), best first.
QUESTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "information": (
        ("information och delaktighet",
         "Hur får äldre och deras anhöriga veta vad hemtjänsten kan erbjuda, och hur tar kommunen reda på "
         "att informationen har nått fram?"),
        ("information och delaktighet",
         "Hur görs den som har hemtjänst delaktig i planeringen av sin egen hjälp?"),
        ("samverkan med externa aktörer",
         "Hur samarbetar kommunen med pensionärsrådet och anhörigföreningar om informationen till äldre?"),
    ),
    "bistandshandlaggning": (
        ("information och delaktighet",
         "Hur kan den som söker hemtjänst påverka vad hjälpen ska innehålla och när den ges?"),
        ("bemötande, integritet och jämlikhet",
         "Hur ser kommunen till att biståndsbesluten utgår från varje persons behov och blir likvärdiga "
         "oavsett var i kommunen man bor?"),
        ("tillgänglighet och kontinuitet",
         "Hur lång tid tar det från ansökan till att hjälpen kommer i gång, och hur följs besluten upp "
         "när behoven ändras?"),
    ),
    "utforande": (
        ("tillgänglighet och kontinuitet",
         "Hur många olika personer ur personalen möter den som har hemtjänst under två veckor, och vad gör "
         "kommunen för att de ska bli färre?"),
        ("bemötande, integritet och jämlikhet",
         "Hur följer kommunen upp att personalen bemöter de äldre med respekt och värnar deras integritet "
         "i hemmet?"),
        ("vård i hemmet",
         "Hur ser kommunen till att personalen har den kunskap som behövs för vård i hemmet?"),
    ),
    "stod_och_utveckling": (
        ("samverkan med externa aktörer",
         "Hur samarbetar hemtjänsten med anhöriga och med vårdcentralen kring den som får vård i hemmet?"),
        ("förebyggande och hälsofrämjande arbete",
         "Vilket förebyggande och hälsofrämjande arbete gör kommunen, till exempel mot fall, ensamhet "
         "och dålig kost?"),
        ("trygghet, gemenskap och meningsfullhet",
         "Vilka digitala trygghetstjänster erbjuds, och hur får de äldre gemenskap och meningsfulla "
         "aktiviteter?"),
    ),
}


def difference(value: Decimal, reference: Decimal) -> Decimal:
    """Return value − reference from the exact values, rounded half up to one decimal for writing."""
    return round_half_up(value - reference, 1)


def gap(value: Decimal, reference: Decimal, reference_name: str = "genomsnittet") -> str:
    """Return e.g. '3,4 enheter över genomsnittet', '0,1 enheter under …' or 'i nivå med …'."""
    rounded = difference(value, reference)
    if rounded == 0:
        return f"i nivå med {reference_name}"
    direction = "över" if rounded > 0 else "under"
    return f"{format_number(abs(rounded))} {units(abs(rounded))} {direction} {reference_name}"


@dataclass(frozen=True)
class IndexChange:
    """How an index moved since the year before, in the one set of words every text uses.

    "oförändrat" only for the very same value. "i stort sett oförändrat" for a change that rounds to 0,0 (such as
    0,04), never "oförändrat" and never "0,0 enheter"; and also when the two indices are written the same although
    the change rounds to 0,1 (57,95 → 58,00: both "58,0"), where "minskat med 0,1 enheter, från 58,0 till 58,0"
    would contradict itself.
    """

    current: Decimal
    previous: Decimal

    @property
    def amount(self) -> Decimal:
        return difference(self.current, self.previous)

    @property
    def is_same(self) -> bool:
        return self.current == self.previous

    @property
    def is_about_same(self) -> bool:
        return self.amount == 0 or round_half_up(self.current, 1) == round_half_up(self.previous, 1)

    def words(self) -> str:
        """Return 'oförändrat', 'i stort sett oförändrat', 'ökat med 1,2 enheter' or 'minskat med 1,0 enhet'."""
        if self.is_same:
            return "oförändrat"
        if self.is_about_same:
            return "i stort sett oförändrat"
        amount = abs(self.amount)
        return f"{'ökat' if self.amount > 0 else 'minskat'} med {format_number(amount)} {units(amount)}"

    def short(self) -> str:
        """Return the change for a table cell: 'oförändrat index', 'i stort sett oförändrat index', '+1,2 enheter'."""
        if self.is_about_same:
            return f"{self.words()} index"
        return f"{format_signed(self.amount)} {units(abs(self.amount))}"


def units(amount: Decimal) -> str:
    return "enhet" if amount == 1 else "enheter"


def place(rank: int, count: int, shared: bool) -> str:
    """Return 'plats 12 av 290' or 'delad plats 12 av 290'."""
    return f"{'delad plats' if shared else 'plats'} {rank} av {count}"


def places(count: int) -> str:
    """Return 'en placering' or '5 placeringar' (a lone one is written as a word, as Swedish prose does)."""
    return "en placering" if count == 1 else f"{count} placeringar"


def lower_label(label: str) -> str:
    """Return a sub-index label for running text ('Stöd och utveckling' → 'stöd och utveckling')."""
    return label[0].lower() + label[1:]


def join_names(names: list[str]) -> str:
    """Return 'A', 'A och B' or 'A, B och C'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " och " + names[-1]


def json_number(value: Decimal | None) -> float | None:
    """Return an exact stored or derived value as a JSON number (machines round for themselves)."""
    return None if value is None else float(value)
