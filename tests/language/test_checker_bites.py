"""The language check bites: each defect found in issue 17, recorded as the product wrote it, is reported, and the
right sentences pass. Without this, a check that reports nothing would look the same as a product without faults."""
from __future__ import annotations

import pytest

from hti_comms.briefs.figures import derive
from hti_comms.briefs.figure_reading import html_text
from tests.briefs.factories import store_year

from . import corpus
from .checker import figure_problems, html_lines, language_problems
from .dictionary import load

#: With the other language tests in one test process (see test_generated_texts.py).
pytestmark = pytest.mark.xdist_group("language")

#: What the product wrote before issue 17, word for word.
RECORDED = {
    "plats plats": "Lund fick plats plats 6 av 290 i Hemtjänstindex 2026.",
    "Se sändningen: Se sändningen": "Ingen anmälan krävs. Se sändningen: Se sändningen: Vinnarna berättar",
    "upprepat ”nyhetsbrev 14”": "Nyhetsbrev #14: Hemtjänstindex nyhetsbrev #14: Ny rapport",
    "1 med plural ”1 kommuner”": "1 kommuner har fått eller får sin egen sammanfattning under embargo, bara sin egen.",
    "1 med plural ”1 kontaktpersoner”": "Lund: 1 kontaktpersoner",
    "1 med plural ”1 rader”": "Inget importerades: 1 rader har fel.",
    "1 med plural ”1 anmälda”": "1 anmälda får ett brev med den nya tiden.",
    "skiljetecken ”.:”": "Jag har läst texten ovan och vill få e-post från SPF Seniorerna.: Du behöver kryssa i rutan.",
    "okänt ord ”Boråss”": "Här kommer ni åt analysen av Boråss resultat med de nya siffrorna:",
    "okänt ord ”Västeråss”": "Västeråss index och delindex jämfört med genomsnittet för samtliga kommuner",
    "”{{”": "Hej {{ recipient.name }}!",
    "”[”": "Citat till pressen: ”Jag heter [namn] och är [uppdrag].”",
    "”None”": "Indexet har ökat med None enheter.",
    "okänt ord ”anlys”": "Här är länken till Lunds anlys.",
}

RIGHT = [
    "Lund fick plats 6 av 290 i Hemtjänstindex 2026.",
    "Ingen anmälan krävs. Se sändningen av Vinnarna berättar:",
    "Nyhetsbrev #14: Ny rapport",
    "1 kommun har fått eller får sin egen sammanfattning under embargo, bara sin egen.",
    "Lund: 1 kontaktperson. Borås: 2 kontaktpersoner.",
    "Inget importerades: 1 rad har fel. Rätta filen, eller välj att hoppa över raden med fel.",
    "Jag har läst texten ovan och vill få e-post från SPF Seniorerna. Du behöver kryssa i rutan.",
    "Borås resultat med de nya siffrorna finns på den öppna resultatsidan, som alla kan se: https://hti.example.se/a",
    "Västerås index och delindex. Lunds resultat. Upplands Väsbys index. Malung-Sälens resultat.",
    "Sedan 2024 har indexet ökat med 1,0 enhet, från 61,0 till 62,0. Lund har klättrat en placering, från plats 2 av "
    "290 till plats 1 av 290.",
    "Torsdag 1 december kl. 07.00; 21 kommuner; 0,1 enheter; 1,0 enheter över; plats 1 av 290; delad plats 12 av 290.",
    "Kommun för kommun",
    "Lund fick 60,0 i Hemtjänstindex 2025, jämfört med genomsnittet 60,0 för samtliga kommuner, alltså i nivå med "
    "genomsnittet.",
]


@pytest.mark.parametrize("finding", RECORDED)
def test_every_recorded_defect_is_reported(swedish, finding):
    reported = [str(problem) for problem in language_problems(RECORDED[finding], "inspelat")]
    assert any(finding in problem for problem in reported), reported


@pytest.mark.parametrize("sentence", RIGHT)
def test_right_swedish_passes(swedish, sentence):
    assert language_problems(sentence, "rätt") == []


def test_the_summary_sentence_the_figure_check_refused_is_reported(db):
    """The old summary said "Indexet är oförändrat sedan 2024" of a change of 0,04; the figure check refused it and
    the municipality's summary would have been held back at publication − 24 h."""
    store_year(2024, {"1281": "60.00", "0114": "50.0"})
    store_year(2025, {"1281": "60.04", "0114": "51.0"})
    figures = derive(2025)
    assert figure_problems("Indexet är oförändrat sedan 2024.", figures, municipality_code="1281")
    assert figure_problems("Indexet är i stort sett oförändrat sedan 2024, 60,0 då och 60,0 nu.", figures,
                           municipality_code="1281") == []


def test_the_emails_read_as_the_figure_check_reads_them(db):
    """The check reads HTML with regular expressions (ten times faster than the parser the figure check uses):
    both must see the same lines, or a word could hide from one of them."""
    corpus.edge_case_years()
    for code in ("0114", "0980", "1490"):
        points = next(p for p in corpus.talking_points(2025) if p.municipality.code == code)
        for text in corpus.local_briefs(points) + corpus.embargoed_summary(points) + corpus.access_email(points):
            assert html_lines(text.text) == html_text(text.text), text.where


def test_a_missing_dictionary_skips_here_and_fails_in_ci(monkeypatch, tmp_path):
    missing = tmp_path / "sv_SE"
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="hunspell-sv"):
        load(missing)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="hunspell-sv"):
        load(missing)
