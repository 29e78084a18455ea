"""Printed letters: the second channel besides email, for members whose channel is `brev`.

Newsletters, circulars, local briefs and district digests sent to an audience go by letter to the members who
chose letters; the letters of one send form a print batch, one PDF that staff print, fold and post.
"""
from ..domain import Domain, MenuEntry, PersonalData

DOMAIN = Domain(
    package=__name__,
    models=(".models",),
    blueprints=(".admin:bp",),
    menu=(MenuEntry("letters_admin.batches", "Brev att skriva ut"),),
    commands=(".cli",),
    sweeps=(".sweeps",),
    setup=".admin:setup",
    overview=(".overview:batches_waiting",),
    demo_data=".demo:load",
    personal_data=(
        PersonalData("brev", export=".personal_data:export_letters", erase=".personal_data:erase_letters",
                     tables=("letter", "print_batch"),
                     privacy="Om du har valt att få våra utskick som brev med posten: ditt namn och din postadress "
                             "på varje brev som skrivs ut, och vilket utskick brevet gällde – för att kunna skriva "
                             "ut och skicka breven."),
    ),
)
