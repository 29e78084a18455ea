"""Read one line of a contact file: which column means what, and what a line's cells say (no database writes)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ...addresses import InvalidAddress, normalise_address
from ...extensions import db
from ...tabular import normalise_header
from ..forms import ASSOCIATION_MAX, NAME_MAX, PHONE_MAX
from ..models import Channel, CouncilName, MailingList, Role
from ..places import AffiliationValues, Place, PlaceDirectory, check_place, unknown_municipality
from ..postal import PostalDetails, PostalError, checked_postal, parse_channel

#: Field -> the column names (as folded by tabular.normalise_header) that mean it.
COLUMNS = {
    "email": ("e_post", "epost", "e_postadress", "epostadress", "email", "e_mail", "mejl", "mail"),
    "name": ("namn", "name", "fullstandigt_namn", "for_och_efternamn"),
    "role": ("roll", "uppdrag", "role"),
    "municipality": ("kommun", "kommunkod", "kommunnamn", "municipality"),
    "lists": ("listor", "lista", "lists", "prenumerationer"),
    "phone": ("telefon", "telefonnummer", "mobil", "phone"),
    "association": ("forening", "foreningens_namn", "spf_forening", "association"),
    "district": ("distrikt", "spf_distrikt", "district"),
    "street": ("adress", "gatuadress", "postadress"),
    "postcode": ("postnummer", "postnr"),
    "town": ("ort", "postort"),
    "channel": ("kanal",),
}
#: The columns of a postal address and channel (subscribers.postal checks them).
POSTAL_FIELDS = ("street", "postcode", "town", "channel")
MISSING_EMAIL_COLUMN = ("Rad 1: filen saknar en kolumn för e-postadress (kalla den ”e-post”). Kolumnerna kan heta: "
                        "namn, e-post, roll, kommun, listor, telefon, förening, distrikt, adress, postnummer, ort, "
                        "kanal.")
COUNCIL_WORDS = {"pensionarsrad": CouncilName.PENSIONARSRAD, "seniorrad": CouncilName.SENIORRAD}
#: Folded words in the role column -> role (council names are matched separately, by the word they contain).
ROLE_WORDS = {
    "distriktsordforande": Role.DISTRICT_CHAIR, "ordforande_distrikt": Role.DISTRICT_CHAIR,
    "ordforande_i_distrikt": Role.DISTRICT_CHAIR, "ordforande_i_spf_distrikt": Role.DISTRICT_CHAIR,
    "distriktsfunktionar": Role.DISTRICT_OFFICER, "funktionar_distrikt": Role.DISTRICT_OFFICER,
    "funktionar_i_spf_distrikt": Role.DISTRICT_OFFICER,
    "foreningsordforande": Role.ASSOCIATION_CHAIR, "ordforande_forening": Role.ASSOCIATION_CHAIR,
    "ordforande_i_spf_forening": Role.ASSOCIATION_CHAIR, "ordforande": Role.ASSOCIATION_CHAIR,
    "foreningsfunktionar": Role.ASSOCIATION_OFFICER, "funktionar_forening": Role.ASSOCIATION_OFFICER,
    "funktionar_i_spf_forening": Role.ASSOCIATION_OFFICER,
    "tjansteperson": Role.MUNICIPAL_OFFICIAL, "tjansteperson_i_kommunen": Role.MUNICIPAL_OFFICIAL,
    "kommunal_tjansteperson": Role.MUNICIPAL_OFFICIAL, "tjansteman": Role.MUNICIPAL_OFFICIAL,
    "kommuntjansteman": Role.MUNICIPAL_OFFICIAL,
    "personal": Role.SPF_STAFF, "spf_personal": Role.SPF_STAFF, "personal_pa_spf_seniorerna": Role.SPF_STAFF,
    "medlem": Role.MEMBER_OR_RELATIVE, "anhorig": Role.MEMBER_OR_RELATIVE, "medlem_eller_anhorig": Role.MEMBER_OR_RELATIVE,
} | {role.value: role for role in Role}
LIST_SEPARATORS = (";", "|", "/")


def column_map(columns: list[str]) -> dict[str, str]:
    """Return field -> the file's column for each field the file has."""
    found = {}
    for field_name, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in columns:
                found[field_name] = alias
                break
    return found


def parse_role(text: str) -> tuple[Role, CouncilName | None] | None:
    """Return the role (and the council's name) a role cell means, or None."""
    folded = normalise_header(text)
    for word, council in COUNCIL_WORDS.items():
        if word in folded:
            return Role.COUNCIL_MEMBER, council
    role = ROLE_WORDS.get(folded)
    return (role, None) if role else None


@dataclass(slots=True)
class ParsedLine:
    """What one line says, checked: the values of a contact, or the problems that stop it."""

    email: str
    name: str = ""
    phone: str = ""
    affiliation: AffiliationValues | None = None
    list_ids: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    #: The channel and postal address, when the file has any of those columns filled in on this line.
    postal: PostalDetails | None = None


class Lookup:
    """Reference data for checking lines, read once per file (never one query per line)."""

    def __init__(self, default_list_keys: list[str]):
        self.places = PlaceDirectory()
        self.lists = list(db.session.scalars(select(MailingList)))
        self.lists_by_word: dict[str, MailingList] = {}
        for mailing_list in self.lists:
            self.lists_by_word[normalise_header(mailing_list.key)] = mailing_list
            self.lists_by_word[normalise_header(mailing_list.name)] = mailing_list
        self.default_list_ids = {m.id for m in self.lists if m.key in set(default_list_keys)}
        # Files repeat the same few values in thousands of rows; each distinct value is worked out once.
        self.roles: dict[str, tuple[Role, CouncilName | None] | None] = {}
        self.list_cells: dict[str, tuple[set[int], list[str]]] = {}
        self._checked_places: dict[tuple, tuple[AffiliationValues | None, list[str]]] = {}

    def role(self, text: str) -> tuple[Role, CouncilName | None] | None:
        if text not in self.roles:
            self.roles[text] = parse_role(text)
        return self.roles[text]

    def place(self, role_text: str, municipality: str, association: str, district: str
              ) -> tuple[AffiliationValues | None, list[str]]:
        """Return check_place for the place these cells describe (a file has a few hundred distinct places)."""
        key = (role_text, municipality, association, district)
        found = self._checked_places.get(key)
        if found is None:
            role, council = self.role(role_text)
            place = Place(role=role, council_name=council, municipality=municipality, association_name=association,
                          district=district)
            found = self._checked_places[key] = check_place(place, self.places, role_name=role_text)
        return found

    def lists_in(self, text: str) -> tuple[set[int], list[str]]:
        """Return the ids of the lists named in a "listor" cell, and problems with unknown names."""
        if text not in self.list_cells:
            ids, problems = set(), []
            cell = text
            for separator in LIST_SEPARATORS:
                cell = cell.replace(separator, ",")
            for word in filter(None, (w.strip() for w in cell.split(","))):
                mailing_list = self.lists_by_word.get(normalise_header(word))
                if mailing_list is None:
                    names = ", ".join(m.key for m in self.lists)
                    problems.append(f"listan ”{word}” finns inte (listorna heter {names})")
                else:
                    ids.add(mailing_list.id)
            self.list_cells[text] = (ids, problems)
        ids, problems = self.list_cells[text]
        return set(ids), list(problems)


def letter_key(name: str, postal: PostalDetails) -> str:
    """Return what identifies someone without an email address in a file and among the contacts."""
    return f"brev:{name.casefold()}|{postal.postcode}|{postal.street_address.casefold()}"


def parse_line(values: dict[str, str], lookup: Lookup) -> ParsedLine:
    """Check one line's cells (by field name) and return what they say."""
    raw_email = values.get("email", "").strip()
    line = ParsedLine(email="")
    problems = line.problems
    if raw_email:
        try:
            line.email = normalise_address(raw_email)
        except InvalidAddress as exc:
            line.email = raw_email.lower()
            problems.append(str(exc).rstrip("."))
    line.name = " ".join(values.get("name", "").split())
    line.phone = values.get("phone", "").strip()
    association = " ".join(values.get("association", "").split())
    for text, limit, what in ((line.name, NAME_MAX, "namnet"), (line.phone, PHONE_MAX, "telefonnumret"),
                              (association, ASSOCIATION_MAX, "föreningens namn")):
        if len(text) > limit:
            problems.append(f"{what} är längre än {limit} tecken")

    municipality_text = values.get("municipality", "").strip()
    role_text = values.get("role", "").strip()
    if role_text and lookup.role(role_text) is not None:
        line.affiliation, place_problems = lookup.place(role_text, municipality_text, association,
                                                        values.get("district", ""))
        problems.extend(place_problems)
    else:
        if municipality_text and lookup.places.municipality(municipality_text) is None:
            problems.append(unknown_municipality(municipality_text))
        if role_text:
            problems.append(f"rollen ”{role_text}” känns inte igen (t.ex. pensionärsråd, seniorråd, "
                            "föreningsordförande, distriktsordförande, tjänsteperson, personal)")
        elif municipality_text:
            problems.append("kommun är angiven men inte vilken roll personen har")

    if any(values.get(name, "").strip() for name in POSTAL_FIELDS):
        try:
            line.postal = checked_postal(parse_channel(values.get("channel")), "", values.get("street", ""),
                                         values.get("postcode", ""), values.get("town", ""), has_email=True)
        except PostalError as exc:
            problems.append(str(exc).rstrip("."))
    # Someone who gets letters by post needs no email address (they are known by name and postal address).
    if not raw_email and not (line.postal is not None and line.postal.channel is Channel.LETTER):
        problems.insert(0, "e-postadress saknas")

    lists_text = values.get("lists", "").strip()
    if lists_text:
        line.list_ids, list_problems = lookup.lists_in(lists_text)
        problems.extend(list_problems)
    else:
        line.list_ids = set(lookup.default_list_ids)
    return line
