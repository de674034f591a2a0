"""Figures in Spanish, Portuguese and Catalan, the languages the offline engines write
(Apertium eng-spa and eng-cat, the Bergamot en-pt model): scale words, currencies, percent
words, units of time, month names and number words, and the reader of number words.

Each language has its own scale. The long scale is the trap: Spanish "billón", European
Portuguese "bilião" and Catalan "bilió" are 10^12, and a thousand millions is "mil millones" /
"mil milhões" / "mil milions" (or "millardo", "miliard"). Brazilian Portuguese uses the short
scale: "bilhão" is 10^9, "trilhão" 10^12. Text tagged only "pt" is read by spelling, which
differs between the two: "bilhão/bilhões" (Brazil) is 10^9 and "bilião/biliões" (Portugal) is
10^12, "trilhão" 10^12 and "trilião" 10^18. So Apertium's "12 billones de dólares" for "$12bn"
reads as 1.2e13 and is flagged against the original's 1.2e10: a real 1,000x error.

Decimal comma and dot-grouped thousands ("5,5", "1.000") are `parse_number`'s job
(`DECIMAL_COMMA`); engines also leave English forms ("5.5%", "230,000", "$12bn") as they
were, and those read as in English.
"""

from __future__ import annotations

import re

from briefing import gazetteer as gz
from briefing.numbers import _alternation

ROMANCE = frozenset({"es", "pt", "ca"})

SCALES: dict[str, dict[str, float]] = {
    "es": {"mil": 1e3, "millón": 1e6, "millones": 1e6, "mil millones": 1e9, "millardo": 1e9,
           "millardos": 1e9, "billón": 1e12, "billones": 1e12, "mil billones": 1e15,
           "trillón": 1e18, "trillones": 1e18},
    "pt": {"mil": 1e3, "milhão": 1e6, "milhões": 1e6, "mil milhões": 1e9, "bilhão": 1e9,
           "bilhões": 1e9, "bilião": 1e12, "biliões": 1e12, "trilhão": 1e12, "trilhões": 1e12,
           "trilião": 1e18, "triliões": 1e18},
    "ca": {"mil": 1e3, "milió": 1e6, "milions": 1e6, "mil milions": 1e9, "miliard": 1e9,
           "miliards": 1e9, "bilió": 1e12, "bilions": 1e12, "trilió": 1e18, "trilions": 1e18},
}

# Currency names after the amount, with or without "de": "12 billones de dólares",
# "5 milhões de reais", "3 milions d'euros", "5,5 €".
_CURRENCY_NAMES: dict[str, dict[str, str]] = {
    "es": {"dólares": "USD", "dólar": "USD", "dólares estadounidenses": "USD", "euros": "EUR",
           "euro": "EUR", "libras": "GBP", "libras esterlinas": "GBP", "yuanes": "CNY",
           "yenes": "JPY", "pesos": "MXN", "reales": "BRL", "rupias": "INR", "wones": "KRW",
           "dongs": "VND"},
    "pt": {"dólares": "USD", "dólar": "USD", "dólares americanos": "USD", "euros": "EUR",
           "euro": "EUR", "libras": "GBP", "libras esterlinas": "GBP", "iuanes": "CNY",
           "yuans": "CNY", "ienes": "JPY", "reais": "BRL", "real": "BRL", "rupias": "INR"},
    "ca": {"dòlars": "USD", "dòlar": "USD", "euros": "EUR", "euro": "EUR", "lliures": "GBP",
           "lliures esterlines": "GBP", "iuans": "CNY", "iens": "JPY", "rupies": "INR"},
}


def currencies(lang: str) -> dict[str, str]:
    """Currency words after an amount in `lang`: the shared codes and signs, the language's
    names alone and after "de" / "d'"."""
    names = _CURRENCY_NAMES[lang]
    table = {**gz.CURRENCY_SUFFIX, "€": "EUR", "£": "GBP", "US$": "USD", "R$": "BRL"}
    for name, code in names.items():
        table[name] = code
        table[f"de {name}"] = code
        if lang == "ca" and name[0] in "aeiou":
            table[f"d'{name}"] = table[f"d’{name}"] = code
    return table


# Units of measure -> the English form of gazetteer.MEASURE_UNITS they stand for.
MEASURES: dict[str, str] = {
    "metros": "metres", "metro": "metre", "kilómetros": "kilometres", "quilómetros": "kilometres",
    "quilômetros": "kilometres", "quilòmetres": "kilometres", "kilos": "kilos",
    "quilos": "kilos", "kilogramos": "kilograms", "quilogramas": "kilograms",
    "quilograms": "kilograms", "toneladas": "tonnes", "tones": "tonnes", "litros": "litres",
    "hectáreas": "hectares", "hectàrees": "hectares", "millas": "miles", "milhas": "miles",
    "milles": "miles", "pies": "feet", "pés": "feet", "peus": "feet", "pulgadas": "inches",
    "polegadas": "inches", "polzades": "inches", "grados": "degrees", "graus": "degrees",
    "kilómetros cuadrados": "square kilometres", "quilômetros quadrados": "square kilometres",
    "quilómetros quadrados": "square kilometres", "quilòmetres quadrats": "square kilometres",
    "metros cuadrados": "square metres", "metros quadrados": "square metres",
    "metres quadrats": "square metres",
}

PERCENT = ("por ciento", "por cento", "per cent", "per cent.", "puntos porcentuales",
           "punto porcentual", "pontos percentuais", "ponto percentual", "punts percentuals",
           "punt percentual")
# Marks a percent word as percentage points.
PP_MARKS = ("punt", "pont")

# Units of time -> the English unit name of gazetteer.TIME_UNITS.
TIME: dict[str, dict[str, str]] = {
    "es": {"segundo": "second", "segundos": "second", "minuto": "minute", "minutos": "minute",
           "hora": "hour", "horas": "hour", "día": "day", "días": "day", "semana": "week",
           "semanas": "week", "mes": "month", "meses": "month", "trimestre": "quarter",
           "trimestres": "quarter", "año": "year", "años": "year", "década": "decade",
           "décadas": "decade", "siglo": "century", "siglos": "century"},
    "pt": {"segundo": "second", "segundos": "second", "minuto": "minute", "minutos": "minute",
           "hora": "hour", "horas": "hour", "dia": "day", "dias": "day", "semana": "week",
           "semanas": "week", "mês": "month", "meses": "month", "trimestre": "quarter",
           "trimestres": "quarter", "ano": "year", "anos": "year", "década": "decade",
           "décadas": "decade", "século": "century", "séculos": "century"},
    "ca": {"segon": "second", "segons": "second", "minut": "minute", "minuts": "minute",
           "hora": "hour", "hores": "hour", "dia": "day", "dies": "day", "setmana": "week",
           "setmanes": "week", "mes": "month", "mesos": "month", "trimestre": "quarter",
           "trimestres": "quarter", "any": "year", "anys": "year", "dècada": "decade",
           "dècades": "decade", "segle": "century", "segles": "century"},
}

MONTHS: dict[str, dict[str, float]] = {
    lang: {name: float(i) for i, name in enumerate(names.split(), 1)}
    for lang, names in {
        "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
              "diciembre",
        "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
              "dezembro",
        "ca": "gener febrer març abril maig juny juliol agost setembre octubre novembre "
              "desembre",
    }.items()
}
# Engines leave English month names as they are (Apertium: "En March").
EN_MONTHS = {m: float(n) for m, n in gz.MONTHS_EN.items() if len(m) > 3 and m != "May"}

_UNITS = {
    "es": "cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce "
          "quince dieciséis diecisiete dieciocho diecinueve veinte veintiuno veintidós "
          "veintitrés veinticuatro veinticinco veintiséis veintisiete veintiocho veintinueve",
    "pt": "zero um dois três quatro cinco seis sete oito nove dez onze doze treze catorze "
          "quinze dezesseis dezessete dezoito dezenove vinte",
    "ca": "zero un dos tres quatre cinc sis set vuit nou deu onze dotze tretze catorze quinze "
          "setze disset divuit dinou vint",
}
_TENS = {
    "es": "treinta cuarenta cincuenta sesenta setenta ochenta noventa",
    "pt": "trinta quarenta cinquenta sessenta setenta oitenta noventa",
    "ca": "trenta quaranta cinquanta seixanta setanta vuitanta noranta",
}
_HUNDREDS = {
    "es": {"cien": 100.0, "ciento": 100.0, "doscientos": 200.0, "trescientos": 300.0,
           "cuatrocientos": 400.0, "quinientos": 500.0, "seiscientos": 600.0,
           "setecientos": 700.0, "ochocientos": 800.0, "novecientos": 900.0},
    "pt": {"cem": 100.0, "cento": 100.0, "duzentos": 200.0, "trezentos": 300.0,
           "quatrocentos": 400.0, "quinhentos": 500.0, "seiscentos": 600.0,
           "setecentos": 700.0, "oitocentos": 800.0, "novecentos": 900.0},
    "ca": {"cent": 100.0, "dos-cents": 200.0, "tres-cents": 300.0, "quatre-cents": 400.0,
           "cinc-cents": 500.0, "sis-cents": 600.0},
}
# Feminine and Portuguese/Catalan doubles of the same numbers.
_EXTRA = {"es": {"una": 1.0, "un": 1.0, "dieciseis": 16.0, "doscientas": 200.0,
                 "trescientas": 300.0, "quinientas": 500.0},
          "pt": {"uma": 1.0, "duas": 2.0, "dezasseis": 16.0, "dezassete": 17.0,
                 "dezanove": 19.0, "duzentas": 200.0, "trezentas": 300.0, "quinhentas": 500.0},
          "ca": {"una": 1.0, "dues": 2.0, "dues-centes": 200.0}}
# Catalan "nou" is nine and also "new" ("un nou edifici"), "deu" ten and also "must" ("deu
# ser"): left to digits, or every "deu ser" would be an added figure of 10.
_LEFT_OUT = {"ca": frozenset({"nou", "deu"})}


def _number_words(lang: str) -> dict[str, float]:
    table = {w: float(i) for i, w in enumerate(_UNITS[lang].split())}
    table |= {w: float(10 * i) for i, w in enumerate(_TENS[lang].split(), 3)}
    table |= _HUNDREDS[lang] | _EXTRA[lang]
    return {w: v for w, v in table.items() if w not in _LEFT_OUT.get(lang, ())}


NUMBER_WORDS: dict[str, dict[str, float]] = {lang: _number_words(lang) for lang in ROMANCE}
ORDINALS: dict[str, dict[str, float]] = {
    "es": {"primer": 1.0, "primero": 1.0, "primera": 1.0, "segundo": 2.0, "segunda": 2.0,
           "tercer": 3.0, "tercero": 3.0, "tercera": 3.0, "cuarto": 4.0, "cuarta": 4.0,
           "quinto": 5.0, "quinta": 5.0, "sexto": 6.0, "séptimo": 7.0, "octavo": 8.0,
           "noveno": 9.0, "décimo": 10.0},
    "pt": {"primeiro": 1.0, "primeira": 1.0, "segundo": 2.0, "segunda": 2.0, "terceiro": 3.0,
           "terceira": 3.0, "quarto": 4.0, "quarta": 4.0, "quinto": 5.0, "quinta": 5.0,
           "sexto": 6.0, "sexta": 6.0, "sétimo": 7.0, "oitavo": 8.0, "nono": 9.0,
           "décimo": 10.0,
           # Weekdays are numbered as in Vietnamese: "terça-feira" is Tuesday, day 3.
           "terça": 3.0},
    "ca": {"primer": 1.0, "primera": 1.0, "segon": 2.0, "segona": 2.0, "tercer": 3.0,
           "tercera": 3.0, "quart": 4.0, "quarta": 4.0, "cinquè": 5.0, "cinquena": 5.0,
           "sisè": 6.0, "setè": 7.0, "vuitè": 8.0, "novè": 9.0, "desè": 10.0},
}
# Joins inside a number: "treinta y cinco", "trinta e cinco", "trenta-cinc", "vint-i-dos".
_JOIN = {"es": ("y",), "pt": ("e",), "ca": ("i",)}
NEXT = re.compile(r"(?P<sep>\s+|-i-|-)(?P<w>[^\W\d_]+(?:-[^\W\d_]+)?)")
QUARTER = re.compile(r"\s(?:trimestre|trimestres)(?!\w)")


def start_words(lang: str) -> list[str]:
    """Words that may start a figure in `lang`."""
    return [*NUMBER_WORDS[lang], *ORDINALS[lang], *MONTHS[lang]]


def english_months() -> str:
    return _alternation(EN_MONTHS)


def read_words(text: str, start: int, first: str, lang: str) -> tuple[float, int, bool]:
    """A number written in words from `start` ("treinta y cinco", "dos mil", "cuatrocientos
    veinte"): its value, where it ends, and whether a hundred or thousand was part of it."""
    table = NUMBER_WORDS[lang]
    total, current = 0.0, table[first.lower()]
    pos, big = start + len(first), current >= 100
    while True:
        m = NEXT.match(text, pos)
        if m is None:
            break
        word, sep = m.group("w").lower(), m.group("sep")
        if word in _JOIN[lang] and sep.strip() == "":
            after = NEXT.match(text, m.end())
            if after and after.group("sep").strip() == "" and \
                    table.get(after.group("w").lower(), 100) < 10 and current % 100 >= 20:
                current += table[after.group("w").lower()]
                pos = after.end()
                continue
            break
        if word == "mil" and sep.strip() == "":
            total, current, big = total + (current or 1) * 1000, 0.0, True
            pos = m.end()
            continue
        value = table.get(word)
        if value is None and lang == "ca" and "-" in word:
            value = _ca_compound(word, table)
        if value is None or not _adds(current, value):
            break
        current += value
        pos = m.end()
    return total + current, pos, big


def _adds(current: float, value: float) -> bool:
    """Whether `value` continues a number at `current` ("doscientos veinte", "mil tres")."""
    if current == 0 or value == 0:
        return False
    if value >= 100:
        return False
    last = current % 100
    if last == 0:
        return True
    return last >= 20 and last % 10 == 0 and value < 10


def _ca_compound(word: str, table: dict[str, float]) -> float | None:
    """Catalan "vint-i-cinc" was split at "-i-"; "trenta-cinc" stays one word here."""
    tens, _, unit = word.partition("-")
    if tens in table and unit in table and table[tens] >= 20 and table[unit] < 10:
        return table[tens] + table[unit]
    return None
