"""Staff roles: what each person may do, several roles per person.

- `redaktor`: drafts and previews of newsletters, circulars, events and briefs; test sends; contact import; results.
- `utskick`: sending to lists and audiences, pausing and resuming sends, approving another person's large send.
- `publicering`: publication moments, orders and their contacts, the embargo timeline and log.
- `administrator`: staff accounts, roles, erasure of a person, settings; an administrator may also do everything
  the other roles may (what every staff login could do before roles existed, and what `hti create-staff`
  gives without `--role`).

Reading pages needs only a login, except the publication pages. Each staff route declares what it needs next to
itself (`hti_comms.staff.needs`); `tests/auth/test_roles.py` walks every route with every role.
"""
from __future__ import annotations

from ..status import LabelledEnum


class Role(LabelledEnum):
    REDAKTOR = ("redaktor", "Redaktör")
    UTSKICK = ("utskick", "Utskick")
    PUBLICERING = ("publicering", "Publicering")
    ADMINISTRATOR = ("administrator", "Administratör")


#: What each role is for, in the words the staff pages use.
DESCRIPTIONS = {
    Role.REDAKTOR: "skriver och förhandsgranskar nyhetsbrev, cirkulär, evenemang och resultatbrev, skickar prov, "
                   "importerar kontakter och resultat",
    Role.UTSKICK: "skickar till listor och målgrupper, pausar och fortsätter utskick, godkänner andras stora utskick",
    Role.PUBLICERING: "sköter publiceringstiden, beställningarna och deras kontaktpersoner, embargot och loggen",
    Role.ADMINISTRATOR: "sköter personalkonton och roller, raderar personers uppgifter och får göra allt de andra "
                        "rollerna får",
}

#: Roles whose holders must log in with a second factor (TOTP); TWO_FACTOR_FOR_EVERYONE adds everyone.
SECOND_FACTOR_ROLES = frozenset({Role.UTSKICK, Role.PUBLICERING, Role.ADMINISTRATOR})


class RoleError(ValueError):
    """A role name that does not exist (Swedish message)."""


def parse_role(name: str) -> Role:
    """Return the role named `name` (its value, any case), or raise RoleError naming the known ones."""
    wanted = (name or "").strip().lower()
    for role in Role:
        if role.value == wanted:
            return role
    raise RoleError(f"Rollen ”{name}” finns inte. Välj bland: {', '.join(r.value for r in Role)}.")


def grants(held: frozenset[Role] | set[Role], needed: Role | None) -> bool:
    """Return whether someone holding `held` may do what needs `needed` (None: any logged-in staff)."""
    return needed is None or needed in held or Role.ADMINISTRATOR in held


def roles_sentence(roles) -> str:
    """Return the roles as staff read them: "Redaktör och Utskick", or "Ingen roll"."""
    labels = [role.label for role in Role if role in set(roles)]
    if not labels:
        return "Ingen roll"
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " och " + labels[-1]
