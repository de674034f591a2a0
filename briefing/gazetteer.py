"""Small data tables the fact rules read: currencies, multipliers, months, number words, and
cue words and names for organisations, places and people, in English and Vietnamese.

Data only, no logic. Each table says why it exists; keep them small and high-precision: the
rules in facts.py already find unknown names from cues, these lists only settle the common ones
and give a canonical name shared by both languages (so "Bắc Kinh" and "Beijing" group).
"""

from __future__ import annotations

# Symbols and codes written BEFORE the amount ("$12bn", "Rmb40bn", "US$1.5 billion"). "¥" is
# read as yen because the FT, Reuters and Nikkei write renminbi as "Rmb" or "yuan"; "$" alone is
# read as USD, which is right for nearly all English news (other dollars carry a prefix).
CURRENCY_PREFIX: dict[str, str] = {
    "US$": "USD", "HK$": "HKD", "A$": "AUD", "C$": "CAD", "S$": "SGD", "NZ$": "NZD",
    "NT$": "TWD", "R$": "BRL", "$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR",
    "₩": "KRW", "₫": "VND", "Rmb": "CNY", "RMB": "CNY", "Rs": "INR", "SFr": "CHF",
    "USD": "USD", "EUR": "EUR", "GBP": "GBP", "JPY": "JPY", "CNY": "CNY", "VND": "VND",
    "CHF": "CHF", "INR": "INR", "KRW": "KRW", "HKD": "HKD", "SGD": "SGD", "AUD": "AUD",
    # Codes the FT writes before amounts in other currencies ("ISK12bn", "SEK5bn"), and the
    # Kenyan shilling as Kenya's press writes it ("KSh2,500").
    "CAD": "CAD", "NZD": "NZD", "TWD": "TWD", "BRL": "BRL", "MXN": "MXN", "ZAR": "ZAR",
    "SEK": "SEK", "NOK": "NOK", "DKK": "DKK", "ISK": "ISK", "PLN": "PLN",
    "KES": "KES", "KSh": "KES", "Ksh": "KES",
}

# Words and codes written AFTER the amount ("40bn yuan", "12 tỷ USD", "2.000 tỷ đồng").
# "won" is left out in English: after a number it is far more often the verb ("3-1 won").
CURRENCY_SUFFIX: dict[str, str] = {
    "US dollars": "USD", "dollars": "USD", "euros": "EUR", "euro": "EUR", "pounds": "GBP",
    "yuan": "CNY", "renminbi": "CNY", "yen": "JPY", "rupees": "INR", "dong": "VND",
    "USD": "USD", "EUR": "EUR", "GBP": "GBP", "JPY": "JPY", "CNY": "CNY", "VND": "VND",
    "KRW": "KRW", "INR": "INR", "CHF": "CHF",
    # Vietnamese: "đô la Mỹ" before "đô la" before "đô" so the longest name wins.
    "đô la Mỹ": "USD", "đô la": "USD", "đôla": "USD", "đô": "USD", "nhân dân tệ": "CNY",
    "NDT": "CNY", "đồng": "VND", "yên": "JPY", "bảng Anh": "GBP", "won": "KRW", "₫": "VND",
    # Symbols after the amount, as most of Europe and Vietnam write them: "900 €", "50.000₫".
    "€": "EUR", "U.S. dollars": "USD", "Euros": "EUR",
    # Iceland's krónur have no other owner; "kronor" (Sweden) and "kroner" (Norway, Denmark),
    # "pesos" and "shillings" name currencies of several countries, so none of them is read.
    "krónur": "ISK",
}

# Scale words. Short forms ("m", "k") only count when glued to the digits ("$5m", "20k"):
# spaced, "5 m" is a length. Vietnamese "nghìn tỷ" is 10^12 and must be tried before "nghìn".
MULTIPLIERS: dict[str, float] = {
    "trillion": 1e12, "tn": 1e12, "trn": 1e12, "billion": 1e9, "bn": 1e9, "bln": 1e9,
    "million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6, "thousand": 1e3, "k": 1e3,
    "nghìn tỷ": 1e12, "ngàn tỷ": 1e12, "tỷ": 1e9, "tỉ": 1e9, "triệu": 1e6, "nghìn": 1e3,
    "ngàn": 1e3,
}
GLUED_ONLY = frozenset({"m", "k"})

# Number words, for "three years" and "two people"; bigger ones are rare outside figures.
NUMBER_WORDS: dict[str, float] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "a dozen": 12, "dozens": 24,
}

# Duration units: surface word -> singular English unit stored in Fact.unit.
DURATION_UNITS: dict[str, str] = {
    "second": "second", "minute": "minute", "hour": "hour", "day": "day", "week": "week",
    "month": "month", "quarter": "quarter", "year": "year", "decade": "decade",
    "giây": "second", "phút": "minute", "giờ": "hour", "ngày": "day", "tuần": "week",
    "tháng": "month", "quý": "quarter", "năm": "year", "thập kỷ": "decade",
}

MONTHS_EN: dict[str, int] = {
    "January": 1, "February": 2, "March": 3, "April": 4, "May": 5, "June": 6, "July": 7,
    "August": 8, "September": 9, "October": 10, "November": 11, "December": 12,
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9,
    "Sept": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}

# Weekday -> Python weekday(); Vietnamese "thứ Hai" is Monday ... "Chủ nhật" is Sunday.
WEEKDAYS: dict[str, int] = {
    "Monday": 0, "Tuesday": 1, "Wednesday": 2, "Thursday": 3, "Friday": 4, "Saturday": 5,
    "Sunday": 6, "thứ Hai": 0, "thứ Ba": 1, "thứ Tư": 2, "thứ Năm": 3, "thứ Sáu": 4,
    "thứ Bảy": 5, "Chủ nhật": 6, "Chủ Nhật": 6,
}

# Relative dates -> (unit, offset) against the published date.
RELATIVE_DATES: dict[str, tuple[str, int]] = {
    "last year": ("year", -1), "this year": ("year", 0), "next year": ("year", 1),
    "last month": ("month", -1), "this month": ("month", 0), "next month": ("month", 1),
    "last week": ("week", -1), "this week": ("week", 0), "next week": ("week", 1),
    "yesterday": ("day", -1), "today": ("day", 0), "tomorrow": ("day", 1),
    "năm ngoái": ("year", -1), "năm trước": ("year", -1), "năm nay": ("year", 0),
    "năm sau": ("year", 1), "năm tới": ("year", 1), "tháng trước": ("month", -1),
    "tháng này": ("month", 0), "tháng tới": ("month", 1), "tuần trước": ("week", -1),
    "tuần này": ("week", 0), "tuần tới": ("week", 1), "hôm qua": ("day", -1),
    "hôm nay": ("day", 0), "ngày mai": ("day", 1),
}

# Canonical names for the organisations news mentions most; aliases map to one spelling.
ORGS: dict[str, str] = {
    name: name for name in (
        "ByteDance", "TikTok", "Nvidia", "Huawei", "Cambricon", "Baidu", "Alibaba", "Tencent",
        "OpenAI", "Microsoft", "Meta", "Amazon", "Google", "Alphabet", "Apple", "Samsung",
        "TSMC", "Intel", "AMD", "Qualcomm", "Tesla", "Xiaomi", "SMIC", "Omdia", "Reuters",
        "Bloomberg", "Anthropic", "IBM", "Oracle", "Netflix", "Sony", "Toyota", "Vingroup",
        "Viettel", "FPT", "Vinamilk", "BYD", "Arm", "Foxconn", "Doubao", "ChatGPT",
    )
} | {
    "Financial Times": "Financial Times", "FT": "Financial Times", "Facebook": "Meta",
    "European Union": "European Union", "EU": "European Union", "Federal Reserve":
    "Federal Reserve", "Fed": "Federal Reserve", "IMF": "IMF", "World Bank": "World Bank",
    "WTO": "WTO", "Nato": "Nato", "NATO": "Nato", "United Nations": "United Nations",
    "UN": "United Nations", "Liên minh châu Âu": "European Union",
}

# Canonical place names; Vietnamese spellings map to the English name so stories group.
PLACES: dict[str, str] = {
    name: name for name in (
        "China", "Beijing", "Shanghai", "Shenzhen", "Hong Kong", "Taiwan", "Japan", "Tokyo",
        "South Korea", "Seoul", "India", "Singapore", "Malaysia", "Indonesia", "Thailand",
        "Vietnam", "Hanoi", "Philippines", "Australia", "Russia", "Moscow", "Ukraine", "Kyiv",
        "Germany", "Berlin", "France", "Paris", "Italy", "Spain", "UK", "Britain", "London",
        "Europe", "Asia", "Africa", "Canada", "Mexico", "Brazil", "Washington", "New York",
        "California", "Texas", "Israel", "Iran", "Gaza", "Saudi Arabia", "Dubai", "Jiaxing",
        "Binzhou", "Netherlands", "Switzerland", "Turkey", "Egypt", "Pakistan",
    )
} | {
    "US": "United States", "U.S.": "United States", "USA": "United States",
    "United States": "United States", "America": "United States", "UK": "United Kingdom",
    "Britain": "United Kingdom", "United Kingdom": "United Kingdom",
    "South-east Asia": "Southeast Asia", "Southeast Asia": "Southeast Asia",
    "Trung Quốc": "China", "Mỹ": "United States", "Hoa Kỳ": "United States",
    "Bắc Kinh": "Beijing", "Thượng Hải": "Shanghai", "Hồng Kông": "Hong Kong",
    "Đài Loan": "Taiwan", "Nhật Bản": "Japan", "Hàn Quốc": "South Korea", "Ấn Độ": "India",
    "Việt Nam": "Vietnam", "Hà Nội": "Hanoi", "Đông Nam Á": "Southeast Asia",
    "Nga": "Russia", "Pháp": "France", "Châu Âu": "Europe", "châu Âu": "Europe",
    "Thành phố Hồ Chí Minh": "Ho Chi Minh City", "TP.HCM": "Ho Chi Minh City",
}

# Well-known people by full name and by the surname news uses alone on second mention.
PEOPLE: dict[str, str] = {
    "Donald Trump": "Donald Trump", "Trump": "Donald Trump", "Joe Biden": "Joe Biden",
    "Biden": "Joe Biden", "Xi Jinping": "Xi Jinping", "Elon Musk": "Elon Musk",
    "Musk": "Elon Musk", "Jensen Huang": "Jensen Huang", "Sam Altman": "Sam Altman",
    "Zhang Yiming": "Zhang Yiming", "Vladimir Putin": "Vladimir Putin",
    "Putin": "Vladimir Putin", "Tim Cook": "Tim Cook", "Satya Nadella": "Satya Nadella",
}

# Titles written before a name: what follows is a person ("President Donald Trump").
PERSON_TITLES: frozenset[str] = frozenset({
    "President", "Prime Minister", "Minister", "Senator", "Governor", "Chancellor", "Mr",
    "Mr.", "Mrs", "Ms", "Ms.", "Dr", "Dr.", "Sir", "Dame", "Judge", "King", "Queen", "Pope",
    "CEO", "Chairman", "Chairwoman", "Secretary", "General", "Tổng thống", "Thủ tướng",
    "Chủ tịch", "Bộ trưởng", "Giám đốc", "Tổng giám đốc", "Ông", "Bà", "ông", "bà",
})

# Lower-case words just before a capitalised name that make it a person ("founder Zhang
# Yiming", "reporting by Ryan McMorrow", "nhà sáng lập ...").
PERSON_CUES: frozenset[str] = frozenset({
    "founder", "co-founder", "executive", "chief", "chairman", "president", "director",
    "analyst", "economist", "spokesperson", "spokesman", "spokeswoman", "minister", "by",
    "reporter", "editor", "ceo", "sáng lập", "ông", "bà", "thống", "tướng",
})

# Words just before a capitalised name that make it a place ("factory in Binzhou").
PLACE_CUES: frozenset[str] = frozenset({"in", "near", "at", "from", "tại", "ở", "gần"})

# Endings that make a capitalised run an organisation ("Alpha Holdings", "Bank of X").
ORG_SUFFIXES: frozenset[str] = frozenset({
    "Inc", "Inc.", "Corp", "Corp.", "Corporation", "Group", "Ltd", "Ltd.", "LLC", "plc",
    "Plc", "Holdings", "Bank", "Technologies", "Technology", "Co", "Co.", "Company", "Motors",
    "Airlines", "Capital", "Partners", "Ventures", "Systems", "Labs", "Networks", "University",
    "Institute", "Ministry", "Agency", "Commission", "Fund", "Council", "Reserve",
    "Association", "Securities", "Electronics", "Semiconductor", "Media", "Energy", "Foundation",
    "Co-operative", "Cooperative",
})

# Capitalised words that are never names on their own: sentence openers, months, demonyms.
NOT_NAMES: frozenset[str] = frozenset({
    "The", "A", "An", "In", "On", "At", "It", "He", "She", "They", "We", "This", "That",
    "These", "Those", "But", "And", "Or", "If", "While", "Whereas", "Though", "Although",
    "As", "For", "After", "Before", "Since", "Any", "Some", "Further", "According", "Its",
    "His", "Her", "Their", "Our", "Chinese", "American", "European", "Japanese", "British",
    "Vietnamese", "English", "AI", "CEO", "GPU", "GPUs", "IPO", "Recommended", "Editor",
    "Tech", "Date", "Share", "Popular", "More", "Please", "Supply", "LEAVE", "REPLY",
    "Unlock", "Alongside", "NaN", "Trong", "Theo", "Công", "Các", "Những",
    "Một", "Khoảng", "Năm", "Tháng", "Chủ", "Tập", "Bước", "Lỗ", "Ngân", "Đáp", "Điều",
    "Cùng", "Mặc", "Tuy", "Bất", "Chính", "Con",
})

# Topic words never worth a tag even when the title repeats them.
STOPWORDS: frozenset[str] = frozenset({
    "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for", "from",
    "with", "as", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "do",
    "does", "did", "will", "would", "could", "should", "may", "might", "can", "its", "it", "this",
    "that", "these", "those", "their", "his", "her", "they", "them", "he", "she", "we", "you",
    "our", "your", "not", "no", "than", "then", "so", "such", "about", "over", "under", "into",
    "out", "up", "down", "more", "most", "less", "after", "before", "while", "said", "says", "say",
    "also", "which", "who", "whom", "what", "when", "where", "how", "all", "any", "some", "per",
    "cent", "percent", "plans", "plan", "new", "year", "years", "one", "two", "three", "there",
    "here", "just", "và", "của", "là", "có", "được", "cho", "các", "những", "một", "trong", "với",
    "để", "đã", "sẽ", "này", "đó", "khi", "theo", "từ", "tại", "ở", "về", "như", "cũng", "không",
    "người", "năm", "nhưng", "thì", "mà", "vào", "ra", "lại", "nên", "bị", "hơn", "rất", "nhiều"
})

# Title words too general to be a topic tag even when the body repeats them: kinds of place,
# building and business, and the verbs and adjectives of headlines ("close", "homes", "plant").
COMMON_WORDS: frozenset[str] = frozenset({
    "city", "cities", "town", "country", "state", "states", "region", "area", "areas", "coast",
    "port", "harbour", "harbor", "island", "village", "capital", "district", "province",
    "plant", "plants", "factory", "office", "offices", "home", "homes", "house", "houses",
    "building", "site", "sites", "network", "line", "lines", "route", "routes", "road", "roads",
    "rail", "bridge", "station", "farm", "farms", "field", "project", "projects", "centre",
    "center", "hub", "company", "companies", "firm", "firms", "group", "deal", "deals",
    "market", "price", "prices", "share", "shares", "stock", "stocks", "sales", "revenue",
    "profit", "profits", "cost", "costs", "jobs", "job", "workers", "staff", "people", "close",
    "closes", "open", "opens", "rise", "rises", "rising", "fall", "falls", "climb", "climbs",
    "hits", "record", "high", "higher", "low", "lower", "early", "late", "last", "first", "big",
    "top", "offshore", "onshore", "national", "local", "rural", "global", "world", "start-up",
    "model", "models", "system", "systems", "service", "services", "heat", "report", "reports",
    "deep-water", "open-source", "plan", "plans", "picks", "moves", "ends", "end", "raises",
    "beats", "cuts", "cut", "wins", "holds", "reaches", "approves", "spend", "spends", "set",
    "sets", "week", "month", "day", "days", "time", "times", "way", "part", "parts", "team",
    "four", "five", "six", "seven", "eight", "nine", "ten", "hundreds", "thousands", "millions",
})

# --- tables for reading every number (numbers.read_figures, the translation check) ----------

# Number words by language. A translator writes "seven" as "7" and "bảy" as "seven", so both
# sides must read words as well as digits. "năm" (five, but also "year") and "tư" (four, but
# also "private") are read by rule in numbers.py, not from here.
EN_NUMBER_WORDS: dict[str, float] = {
    w: float(i) for i, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"])
} | {w: float(10 * i) for i, w in enumerate(
    ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], 2)
} | {w + "ies": float(10 * i) for i, w in enumerate(  # "the nineties", "những năm 90"
    ["twent", "thirt", "fort", "fift", "sixt", "sevent", "eight", "ninet"], 2)
} | {"dozen": 12.0, "half": 0.5, "double": 2.0, "twice": 2.0, "triple": 3.0, "both": 2.0}
VI_NUMBER_WORDS: dict[str, float] = {
    "một": 1.0, "hai": 2.0, "ba": 3.0, "bốn": 4.0, "sáu": 6.0, "bảy": 7.0,
    "bẩy": 7.0, "tám": 8.0, "chín": 9.0, "mười": 10.0, "nửa": 0.5,
}
# Forms a Vietnamese number takes only inside a compound: "hai mươi lăm" (25), "hai mươi mốt"
# (21), "hai mươi tư" (24).
VI_COMPOUND_ONLY: dict[str, float] = {"lăm": 5.0, "mốt": 1.0, "tư": 4.0}
# Scale words multiply what comes before them ("2.3 million", "7 triệu", "hai nghìn").
SCALE_WORDS: dict[str, float] = {
    "hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "bn": 1e9, "mn": 1e6, "tn": 1e12, "trăm": 1e2, "chục": 10.0, "nghìn": 1e3, "ngàn": 1e3,
    "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9, "mươi": 10.0, "tá": 12.0,
}
# "tỷ lệ" is a rate, "tỷ giá" an exchange rate, "tỷ phú" a billionaire: not "billion".
VI_NOT_SCALE_AFTER: frozenset[str] = frozenset({"lệ", "giá", "số", "phú", "trọng"})
# Before a scale word these make it a rough amount, not a figure: "hundreds of", "vài trăm",
# "hàng triệu". A translator may render them freely; there is nothing exact to compare.
APPROX_BEFORE: frozenset[str] = frozenset({
    "several", "few", "many", "some", "hàng", "vài", "mấy", "nhiều", "hằng", "dăm",
})
# Words for a small, loose quantity: "a few people" may come back as "3 người", so a small
# number with no counterpart is only a note when the other side has one of these. ("some" is
# left out: it is in every other English paragraph, and would hide a changed small number.)
QUANTITY_WORDS: frozenset[str] = frozenset({
    "couple", "few", "several", "handful", "pair", "vài", "mấy", "dăm", "cặp",
})
# English ordinals: "the second thing" is "điều thứ 2".
EN_ORDINALS: dict[str, float] = {
    w: float(i) for i, w in enumerate(
        ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
         "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
         "seventeenth", "eighteenth", "nineteenth", "twentieth"], 1)
} | {"thirtieth": 30.0, "fortieth": 40.0, "fiftieth": 50.0, "hundredth": 100.0}

# Weekdays as Vietnamese number them: "thứ 6" is Friday, "thứ 2" Monday, Sunday is "Chủ nhật".
# An English name and a Vietnamese numeral are then one value.
WEEKDAY_NUMBERS: dict[str, float] = {
    "monday": 2.0, "tuesday": 3.0, "wednesday": 4.0, "thursday": 5.0, "friday": 6.0,
    "saturday": 7.0, "sunday": 8.0, "chủ nhật": 8.0,
}
# "Tháng Bảy" / "tháng 7": Vietnamese month names are numerals after "tháng", with two old
# names of their own.
VI_MONTH_WORDS: dict[str, float] = {
    "giêng": 1.0, "hai": 2.0, "ba": 3.0, "tư": 4.0, "năm": 5.0, "sáu": 6.0, "bảy": 7.0,
    "tám": 8.0, "chín": 9.0, "mười": 10.0, "mười một": 11.0, "mười hai": 12.0, "chạp": 12.0,
}

# Units of measure: surface form -> (dimension, unit, factor to the dimension's base unit).
# A translator gives feet in metres and miles in kilometres, so a figure is compared in the
# base unit when the two sides use different units (numbers.CONVERSION_TOLERANCE).
_LENGTH = {
    "ft": ("feet", "foot", "ft", "bộ Anh"), "in": ("inches", "inch"),
    "yd": ("yards", "yard"), "mi": ("miles", "mile", "dặm"),
    "m": ("metres", "meters", "metre", "meter", "m", "mét", "thước"),
    "km": ("kilometres", "kilometers", "kilometre", "kilometer", "km", "cây số", "ki-lô-mét",
           "kilômét", "kilomet"),
    "cm": ("centimetres", "centimeters", "centimetre", "centimeter", "cm", "phân"),
    "mm": ("millimetres", "millimeters", "mm", "li"),
}
_LENGTH_FACTOR = {"ft": 0.3048, "in": 0.0254, "yd": 0.9144, "mi": 1609.344, "m": 1.0,
                  "km": 1000.0, "cm": 0.01, "mm": 0.001}
_AREA = {
    "sqmi": (("square miles", "square mile", "sq mi", "dặm vuông"), 2_589_988.0),
    "km2": (("square kilometres", "square kilometers", "square kilometre", "square kilometer",
             "sq km", "km²", "km2", "ki-lô-mét vuông", "cây số vuông"), 1e6),
    "sqft": (("square feet", "square foot", "sq ft", "feet vuông"), 0.092903),
    "m2": (("square metres", "square meters", "square metre", "square meter", "m²", "m2",
            "mét vuông"), 1.0),
    "acre": (("acres", "acre", "mẫu Anh"), 4046.86),
    "ha": (("hectares", "hectare", "ha", "héc-ta", "hécta", "hecta", "héc ta"), 1e4),
}
_MASS = {
    "lb": (("pounds", "pound", "lbs", "lb", "pao"), 0.453592),
    "kg": (("kilograms", "kilogrammes", "kilogram", "kilos", "kilo", "kg", "ki-lô-gam",
            "kilôgam", "cân", "ký", "ki-lô"), 1.0),
    "t": (("tonnes", "tons", "tonne", "ton", "tấn"), 1000.0),
    "g": (("grams", "grammes", "gram", "g", "gam", "gờ-ram"), 0.001),
    "oz": (("ounces", "ounce", "oz"), 0.0283495),
}
_VOLUME = {
    "gal": (("gallons", "gallon", "ga-lông", "galông", "gallon"), 3.78541),
    "l": (("litres", "liters", "litre", "liter", "l", "lít"), 1.0),
    "ml": (("millilitres", "milliliters", "ml"), 0.001),
}
_POWER = {
    "kW": (("kilowatts", "kilowatt", "kW"), 1e3), "MW": (("megawatts", "megawatt", "MW"), 1e6),
    "GW": (("gigawatts", "gigawatt", "GW"), 1e9), "kWh": (("kWh", "kilowatt hours"), 1.0),
    "MWh": (("MWh", "megawatt hours"), 1e3), "GWh": (("GWh", "gigawatt hours"), 1e6),
}
MEASURE_UNITS: dict[str, tuple[str, str, float]] = {
    **{s: ("length", u, _LENGTH_FACTOR[u]) for u, forms in _LENGTH.items() for s in forms},
    **{s: ("area", u, f) for u, (forms, f) in _AREA.items() for s in forms},
    **{s: ("mass", u, f) for u, (forms, f) in _MASS.items() for s in forms},
    **{s: ("volume", u, f) for u, (forms, f) in _VOLUME.items() for s in forms},
    **{s: ("energy" if u.endswith("h") else "power", u, f)
       for u, (forms, f) in _POWER.items() for s in forms},
    # Temperatures are converted by rule (numbers._celsius), not by a factor.
    **{s: ("temp", "F", 1.0) for s in ("°F", "degrees Fahrenheit", "độ F", "F")},
    **{s: ("temp", "C", 1.0) for s in ("°C", "degrees Celsius", "độ C", "C")},
    # "degrees" / "độ" alone: the scale is whatever the writer's country uses.
    **{s: ("temp", "", 1.0) for s in ("degrees", "độ", "°")},
}
# Written glued to the digits only ("50m", "5g", "10l"): spaced, these letters are words.
GLUED_UNITS: frozenset[str] = frozenset({"m", "g", "l", "C", "F", "in", "ha", "li", "t"})

# Time units -> seconds, so "48 hours" and "2 ngày", "a year" and "12 tháng" compare.
TIME_UNITS: dict[str, float] = {
    "second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0, "week": 604800.0,
    "fortnight": 1_209_600.0, "month": 2_629_746.0, "quarter": 7_889_238.0,
    "year": 31_556_952.0, "decade": 315_569_520.0, "century": 3_155_695_200.0,
    "centuries": 3_155_695_200.0, "quý": 7_889_238.0, "giây": 1.0, "phút": 60.0,
    "giờ": 3600.0, "tiếng": 3600.0, "ngày": 86400.0, "tuần": 604800.0, "tháng": 2_629_746.0,
    "năm": 31_556_952.0, "thập kỷ": 315_569_520.0,
    "thập kỉ": 315_569_520.0, "thập niên": 315_569_520.0, "thế kỷ": 3_155_695_200.0,
    "thế kỉ": 3_155_695_200.0,
}
