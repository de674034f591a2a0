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
})

# Capitalised words that are never names on their own: sentence openers, months, demonyms.
NOT_NAMES: frozenset[str] = frozenset({
    "The", "A", "An", "In", "On", "At", "It", "He", "She", "They", "We", "This", "That",
    "These", "Those", "But", "And", "Or", "If", "While", "Whereas", "Though", "Although",
    "As", "For", "After", "Before", "Since", "Any", "Some", "Further", "According", "Its",
    "His", "Her", "Their", "Our", "Chinese", "American", "European", "Japanese", "British",
    "Vietnamese", "English", "AI", "CEO", "GPU", "GPUs", "IPO", "Recommended", "Editor",
    "Tech", "Date", "Share", "Popular", "More", "Please", "Supply", "LEAVE", "REPLY",
    "Unlock", "Alongside", "Trong", "Theo", "Công", "Các", "Những",
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
