"""The following year: a plan for year Y is said in Y + 1's talking points, local brief and embargoed summary, with
the targeted area's value in both years and the change, every number checked by the figure check."""
from __future__ import annotations

import pytest

from hti_comms.action_plans.followup import earlier_plans
from hti_comms.briefs.figures import FigureMismatch, check_figures, check_talking_points, verify_points, verify_text
from hti_comms.briefs.talking_points import build_talking_points, resolve_municipality
from tests.publication.helpers import results_for_2025

from .helpers import add, cli_add, plan_points, points_json


@pytest.fixture
def years(app):
    results_for_2025()


def test_a_plan_for_2024_is_said_in_2025s_points_with_both_values_and_the_change_and_not_in_2024s(runner, years):
    measure_id = cli_add(runner, "--year", "2024", "--municipality", "Upplands Väsby", "--area", "information",
                         "--text", "Förbättra informationen på kommunens webbplats.", "--status", "pagar")
    listed = runner.invoke(args=["hti", "action-plan", "list", "--year", "2024", "--municipality", "0114",
                                 "--format", "json"])
    assert listed.exit_code == 0, listed.output
    [measure] = __import__("json").loads(listed.output)
    assert measure["id"] == measure_id and measure["area"] == "information" and measure["status"] == "pagar"
    assert measure["text"] == "förbättra informationen på kommunens webbplats"  # made to follow "planerade … att"

    following = points_json(runner, "0114", 2025)
    assert plan_points(following) == [
        "Inför 2025 planerade Upplands Väsby att förbättra informationen på kommunens webbplats (Information). "
        "Sedan dess har delindex Information ökat med 10,0 enheter, från 60,0 till 70,0."]
    assert following["earlier_plan"] == {"plan_year": 2024, "areas": [{
        "area": "information", "label": "Information", "measures": ["förbättra informationen på kommunens webbplats"],
        "previous_value": 60.0, "value": 70.0, "change": 10.0}]}
    own_year = points_json(runner, "0114", 2024)
    assert plan_points(own_year) == [] and own_year["earlier_plan"] is None
    assert not any("sjönk trots planen" in text for text in following["points"])  # it rose: no question


def test_an_area_that_fell_gets_a_question_and_one_that_rose_does_not(years):
    add(2024, "0115", "information", "ge tydligare information om avgifterna")
    add(2024, "0115", "stod_och_utveckling", "erbjuda digital tillsyn")  # 70,0 → 70,0: unchanged
    add(2024, "0115", "index", "följa upp resultatet i pensionärsrådet")
    points = build_talking_points(resolve_municipality("0115"), 2025)
    assert points.texts("plan") == [
        "Inför 2025 planerade Vallentuna att ge tydligare information om avgifterna (Information). Sedan dess har "
        "delindex Information minskat med 4,0 enheter, från 70,0 till 66,0.",
        "Inför 2025 planerade Vallentuna att erbjuda digital tillsyn (Stöd och utveckling). Sedan dess är delindex "
        "Stöd och utveckling oförändrat, 70,0.",
        "Inför 2025 planerade Vallentuna att följa upp resultatet i pensionärsrådet (hela indexet). Sedan dess har "
        "indexet minskat med 1,7 enheter, från 70,0 till 68,3."]
    questions = points.texts("question")
    assert questions[:2] == [
        "Information sjönk trots planen: vad hände med planen att ge tydligare information om avgifterna?",
        "Indexet sjönk trots planen: vad hände med planen att följa upp resultatet i pensionärsrådet?"]
    assert not any("Stöd och utveckling sjönk" in text for text in questions)
    check_talking_points(points)


def test_several_measures_for_one_area_make_one_sentence_not_three(years):
    for text in ("ta fram en tydligare webbplats med klarspråk", "införa en avgiftskalkylator",
                 "skriva broschyren på lättläst svenska"):
        add(2024, "0114", "information", text)
    add(2024, "0114", "utforande", "ge varje person en fast kontaktperson")
    points = build_talking_points(resolve_municipality("0114"), 2025)
    plan = points.texts("plan")
    assert len(plan) == 2
    assert plan[0].startswith("Inför 2025 planerade Upplands Väsby att ta fram en tydligare webbplats med klarspråk, "
                              "införa en avgiftskalkylator och skriva broschyren på lättläst svenska (Information). "
                              "Sedan dess har delindex Information ökat med 10,0 enheter")
    assert sum(text.count("planerade") for text in points.texts()) == 2
    assert "(Utförande). Sedan dess har delindex Utförande ökat med 11,0 enheter, från 60,0 till 71,0." in plan[1]


def test_a_plan_with_no_following_year_says_nothing_of_movement(runner, years):
    add(2025, "0114", "information", "förbättra informationen på kommunens webbplats")
    points = build_talking_points(resolve_municipality("0114"), 2025)
    assert points.texts("plan") == [] and points.earlier_plan is None
    assert not any("planerade" in text or "sedan dess" in text.lower() for text in points.texts())
    assert earlier_plans(2026, "0114")["0114"].plan_year == 2025  # a result of 2026 would be compared with it
    assert runner.invoke(args=["hti", "talking-points", "0114", "--year", "2026"]).exit_code != 0


def test_the_latest_earlier_plan_is_followed_up_and_a_missing_area_is_said_as_missing(years):
    from tests.briefs.factories import store_year

    store_year(2023, {"0114": ["50.0", "", "50.0", "50.0", "50.0"]})  # no Information in 2023
    add(2023, "0114", "information", "förbättra informationen på kommunens webbplats")
    points = build_talking_points(resolve_municipality("0114"), 2024)
    assert points.texts("plan") == [
        "Inför 2024 planerade Upplands Väsby att förbättra informationen på kommunens webbplats (Information). Det "
        "saknas uppgift om delindex Information för något av åren, så det går inte att säga hur det har ändrats "
        "sedan dess."]
    later = build_talking_points(resolve_municipality("0114"), 2025)
    assert later.texts("plan")[0].startswith("Inför 2024 planerade")  # 2023's plan, the latest before 2025
    assert "från 60,0 till 70,0" not in later.texts("plan")[0]
    check_talking_points(later)


def test_the_figure_check_rereads_every_number_of_the_new_sentences(years):
    add(2024, "0114", "information", "minska väntetiden till 10 dagar")  # the municipality's own digits
    points = build_talking_points(resolve_municipality("0114"), 2025)
    assert verify_points(points) == []
    [sentence] = points.texts("plan")
    assert "att minska väntetiden till 10 dagar (Information)" in sentence
    # Any other text (an email, a page) is read sentence by sentence: the same words pass ...
    assert verify_text(sentence, 2025, "0114") == []
    # ... and each wrong number is named: the earlier value, the change, and the figures since a plan year that
    # is not the plan's ("Inför 2024" is a year the sentence may name, but 2023 had no plan and no figures).
    for wrong, stated in ((sentence.replace("från 60,0", "från 61,0"), "61,0"),
                          (sentence.replace("ökat med 10,0", "ökat med 9,0"), "ökat med 9,0 enheter"),
                          (sentence.replace("Inför 2025", "Inför 2024"), "ökat med 10,0 enheter")):
        with pytest.raises(FigureMismatch, match=f"säger ”{stated}”"):
            check_figures(2025, "0114", [wrong])
    # A point whose claims name another plan year is refused too (the register has no plan of 2023).
    from hti_comms.briefs.figures import verify_claims, year_figures

    figures = year_figures(2025)
    claims = ("plan_year@2023", "since@2023:information", "earlier@2023:information", "sub:information")
    assert verify_claims(sentence, claims, figures, figures.municipality("0114"))


def test_the_local_brief_and_the_embargoed_summary_say_it_too(years):
    from hti_comms.briefs.emails import local_brief_context
    from hti_comms.publication.summaries import summary_context

    add(2024, "0115", "utforande", "ge varje person en fast kontaktperson")
    points = build_talking_points(resolve_municipality("0115"), 2025)
    sentence = points.texts("plan")[0]
    assert sentence in summary_context(2025, "0115")["brief"]["facts"]
    brief = local_brief_context(points, embargoed_audience=False)
    assert sentence in str(brief)
    assert "Utförande sjönk trots planen: vad hände med planen att ge varje person en fast kontaktperson?" in str(brief)


def test_the_embargoed_summary_released_by_the_sweep_says_what_was_planned(db, mail_sink, years):
    from hti_comms import clock
    from hti_comms.delivery.worker import deliver_due
    from hti_comms.scheduling.sweeps import run_all_once
    from tests.publication.helpers import RELEASE_AT, staff_order, text_of

    add(2024, "0115", "information", "ge tydligare information om avgifterna")
    staff_order("0115", "vera@vallentuna.example.se")
    staff_order("0114", "eva@vasby.example.se")  # no plan: says nothing of one
    clock.set_now(RELEASE_AT)
    run_all_once()
    texts = {m["To"].addresses[0].addr_spec: " ".join(text_of(m).split()) for m in mail_sink.wait_for(deliver_due())
             if m["Subject"].startswith("EMBARGO")}
    vera = texts["vera@vallentuna.example.se"]
    assert ("Inför 2025 planerade Vallentuna att ge tydligare information om avgifterna (Information). Sedan dess "
            "har delindex Information minskat med 4,0 enheter, från 70,0 till 66,0.") in vera
    assert "Information sjönk trots planen" in vera
    assert "planerade" not in texts["eva@vasby.example.se"]


def test_the_year_before_a_plan_may_be_any_year_the_register_holds_a_plan_for(years):
    # A plan of 2022, three years before 2025: "Inför 2023" is neither 2025 nor 2024, only the plan's year.
    add(2022, "0114", "information", "förbättra informationen")
    sentence = "Inför 2023 planerade Upplands Väsby att förbättra informationen (Information)."
    assert verify_text(sentence, 2025, "0114") == []
    assert [m.stated for m in verify_text(sentence.replace("2023", "2022"), 2025, "0114")] == ["2022"]
    # Only that sentence, and those after it saying "sedan dess", may state the plan's figures.
    assert [m.stated for m in verify_text(sentence + " Målet sattes 2023.", 2025, "0114")] == ["2023"]
