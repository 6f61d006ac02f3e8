"""Allergens in an order's text: which words name one, and where they are.

One word list and one matcher for every screen that shows an order (the kitchen display,
the admin console, the browser kitchen board, which is sent :meth:`Allergens.wire` and
applies the same rules in JavaScript). The default list holds the 14 allergens that EU law
(Regulation 1169/2011, Annex II) requires a kitchen to declare, with their common words (in
English, and in Chinese, Japanese and Korean), and words that say "allergy" in several
languages; a site adds its own words, or drops some, in its display's config file
(:meth:`Allergens.changed`).

The rules, for any other implementation of them:

- Case does not matter (Unicode simple case folding: Python's ``re.IGNORECASE``, the ``iu``
  flags of a JavaScript regular expression).
- A word matches a whole word only: no letter, digit or underscore just before or after it.
  It matches its plural too (with ``s`` or ``es`` added). A space in a word matches any run
  of spaces or hyphens (``tree nut`` matches ``tree-nut``).
- A word ending in ``*`` matches every word that begins with it (``allerg*``: allergy,
  allergies, allergic, Allergie).
- A word in a script written without spaces between words (Chinese, Japanese, Korean,
  Thai, Lao, Khmer, Myanmar) matches anywhere, even inside a longer run of text.
- Where two words could match at one place, the longer one does.

This module is pure Python: no UI, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ALLERGY_MARK = "⚠"
"""The one mark for an allergy, on every screen; used for nothing else."""

ALLERGY = "allergy"
"""The group of words that say "allergy" without naming an allergen."""

EU_ALLERGENS: dict[str, tuple[str, ...]] = {
    "gluten": (
        "gluten",
        "wheat",
        "rye",
        "barley",
        "oats",
        "spelt",
        "kamut",
        "coeliac",
        "celiac",
    ),
    "crustaceans": (
        "crustacean",
        "shellfish",
        "prawn",
        "shrimp",
        "crab",
        "lobster",
        "crayfish",
        "langoustine",
        "scampi",
    ),
    "eggs": ("egg",),
    "fish": ("fish", "anchovy", "anchovies"),
    "peanuts": ("peanut", "groundnut", "arachis"),
    "soybeans": ("soy", "soya", "soybean", "tofu", "edamame"),
    "milk": ("milk", "dairy", "lactose", "casein", "whey"),
    "nuts": (
        "nut",
        "tree nut",
        "almond",
        "hazelnut",
        "walnut",
        "cashew",
        "pecan",
        "brazil nut",
        "pistachio",
        "macadamia",
    ),
    "celery": ("celery", "celeriac"),
    "mustard": ("mustard",),
    "sesame": ("sesame", "tahini"),
    "sulphites": ("sulphite", "sulfite", "sulphur dioxide", "sulfur dioxide"),
    "lupin": ("lupin", "lupine"),
    "molluscs": (
        "mollusc",
        "mollusk",
        "mussel",
        "oyster",
        "clam",
        "scallop",
        "squid",
        "octopus",
        "calamari",
        "snail",
        "whelk",
    ),
}
"""The 14 allergens of EU law, each with the words that name it on an order."""

EAST_ASIAN_WORDS: dict[str, tuple[str, ...]] = {
    # Chinese (simplified, traditional), Japanese, Korean. They match inside a run of text
    # (module rules), so a word is left out where it is part of common other words: イカ
    # (squid) in スイカ (watermelon), タコ (octopus) in タコス, かに in 静かに, 贝 in 贝果
    # (bagel), 밀, 게, 굴.
    "gluten": ("小麦", "小麥", "麸质", "麩質", "グルテン", "글루텐"),
    "crustaceans": ("虾", "蝦", "蟹", "えび", "エビ", "海老", "カニ", "새우", "갑각류"),
    "eggs": ("蛋", "卵", "たまご", "玉子", "계란", "달걀"),
    "fish": ("鱼", "魚", "생선"),
    "peanuts": ("花生", "ピーナッツ", "땅콩"),
    "soybeans": ("大豆", "黄豆", "黃豆", "豆腐", "酱油", "醬油", "醤油", "대두"),
    "milk": ("奶", "牛乳", "乳制品", "乳製品", "乳糖", "ミルク", "우유"),
    "nuts": ("坚果", "堅果", "ナッツ", "견과", "杏仁", "核桃", "腰果", "榛子"),
    "celery": ("芹菜", "セロリ", "셀러리"),
    "mustard": ("芥末", "芥子", "からし", "マスタード", "겨자"),
    "sesame": ("芝麻", "胡麻", "ごま", "ゴマ", "참깨"),
    "sulphites": ("亚硫酸", "亜硫酸", "아황산"),
    "lupin": ("羽扇豆", "ルピナス"),
    "molluscs": (
        "蛤",
        "蚝",
        "牡蛎",
        "牡蠣",
        "鱿鱼",
        "魷魚",
        "章鱼",
        "章魚",
        "조개",
        "오징어",
    ),
}
"""The same allergens' common words in Chinese, Japanese and Korean (the default list has
them too): an allergy written in Chinese names its allergen on the ticket (花生, peanut)."""

ALLERGY_WORDS: tuple[str, ...] = (
    "allerg*",  # English, French, German, Italian, Dutch...
    "alerg*",  # Spanish, Portuguese, Polish, Romanian...
    "аллерг*",  # Russian
    "anaphyla*",
    "epipen",
    "epi-pen",
    "intoleran*",
    "过敏",  # Chinese (simplified)
    "過敏",  # Chinese (traditional), Japanese
    "アレルギー",  # Japanese
    "알레르기",  # Korean
    "แพ้",  # Thai
    "حساسية",  # Arabic
    "אלרגיה",  # Hebrew
)
"""Words that say "allergy" (or a severe reaction) without naming the allergen."""

_UNSPACED = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x9FFF),  # CJK radicals, kana, CJK ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3FFFF),  # CJK extensions
)


def _unspaced(word: str) -> bool:
    """Whether a word is in a script written without spaces between words."""
    return any(lo <= ord(ch) <= hi for ch in word for lo, hi in _UNSPACED)


def _pattern(word: str) -> str:
    """The regular expression for one word of the list (see the module's rules)."""
    prefix = word.endswith("*")
    stem = word.rstrip("*").strip()
    body = r"[\s\-]+".join(re.escape(part) for part in stem.split())
    if _unspaced(stem):
        return body
    tail = r"\w*" if prefix else r"(?:e?s)?(?!\w)"
    return rf"(?<!\w){body}{tail}"


@dataclass(frozen=True)
class Found:
    """An allergen word found in a text: ``text[start:end]``."""

    start: int
    end: int
    allergen: str
    """The group it names (``peanuts``), or :data:`ALLERGY` for a word like "allergy"."""


class ConfigError(ValueError):
    """A word list that cannot be used; the message says what is wrong."""


def _clean_word(word: object, where: str) -> str:
    if not isinstance(word, str) or not word.strip().rstrip("*").strip():
        raise ConfigError(f"{where}: {word!r} is not a word (a non-empty string)")
    return unicodedata.normalize("NFC", " ".join(word.split()))


class Allergens:
    """A word list and its matcher.

    Args:
        groups: each allergen's name and the words that name it; the group named
            :data:`ALLERGY` holds words that say "allergy" without naming one.
    """

    def __init__(self, groups: Mapping[str, Iterable[str]]) -> None:
        self.groups: dict[str, tuple[str, ...]] = {
            name: tuple(dict.fromkeys(_clean_word(w, name) for w in words))
            for name, words in groups.items()
        }
        entries = sorted(
            (
                (unicodedata.normalize(form, word), name)
                for name, words in self.groups.items()
                for word in words
                # Both ways of writing an accented letter (é, or e and a combining accent).
                for form in ("NFC", "NFD")
            ),
            key=lambda entry: -len(entry[0].rstrip("*")),
        )
        entries = list(dict.fromkeys(entries))
        # One alternation, longest words first: at any one place the longest word matches,
        # whichever group it is in.
        self._group_of = {f"w{n}": name for n, (_, name) in enumerate(entries)}
        alternatives = (f"(?P<w{n}>{_pattern(word)})" for n, (word, _) in enumerate(entries))
        self._regex = re.compile("|".join(alternatives) or r"(?!)", re.IGNORECASE)
        self._found: dict[str, list[Found]] = {}

    @classmethod
    def default(cls) -> Allergens:
        """The 14 allergens of EU law and the words for "allergy"."""
        groups = {name: (*words, *EAST_ASIAN_WORDS[name]) for name, words in EU_ALLERGENS.items()}
        return cls({**groups, ALLERGY: ALLERGY_WORDS})

    def changed(
        self,
        add: Mapping[str, Iterable[str]] | None = None,
        ignore: Iterable[str] = (),
        *,
        keep: bool = True,
    ) -> Allergens:
        """This list with words added (to a group, or a new one) and words taken out.

        Args:
            add: words to add, by allergen name (a new name makes a new allergen).
            ignore: words no longer recognised (as written in the list, case-insensitive).
            keep: False starts from an empty list (only ``add``).

        Raises:
            ConfigError: a word is not a non-empty string.
        """
        groups = {name: list(words) for name, words in self.groups.items()} if keep else {}
        for name, words in (add or {}).items():
            if isinstance(words, str) or not isinstance(words, Iterable):
                raise ConfigError(f"{name}: give a list of words, not {words!r}")
            groups.setdefault(str(name), []).extend(_clean_word(w, str(name)) for w in words)
        dropped = {_clean_word(w, "ignore").casefold() for w in ignore}
        return Allergens(
            {
                name: [w for w in words if w.casefold() not in dropped]
                for name, words in groups.items()
            }
        )

    def find(self, text: str) -> list[Found]:
        """Every allergen word in ``text``, in order."""
        found = self._found.get(text)
        if found is None:
            found = []
            for match in self._regex.finditer(text):
                group = match.lastgroup
                if group is not None and match.end() > match.start():
                    found.append(Found(match.start(), match.end(), self._group_of[group]))
            if len(self._found) > 20_000:  # the same modifiers and notes come again and again
                self._found.clear()
            self._found[text] = found
        return list(found)

    def mentions(self, text: str | None) -> bool:
        """Whether ``text`` holds an allergen word."""
        return bool(text) and bool(self.find(text or ""))

    def says_allergy(self, text: str | None) -> bool:
        """Whether ``text`` has a word that says "allergy" (allergy, 过敏, anaphylaxis...)."""
        return any(found.allergen == ALLERGY for found in self.find(text or ""))

    def named(self, texts: Iterable[str | None]) -> list[str]:
        """The allergens the texts name, in the list's order, then :data:`ALLERGY` if a text
        says "allergy" without naming an allergen in the list (``kiwi allergy``): an allergy
        the list does not know is not hidden by one it knows in another text.
        """
        found = [self.find(text) for text in texts if text]
        seen = {f.allergen for each in found for f in each}
        order = [name for name in self.groups if name != ALLERGY]
        named = [name for name in order if name in seen]
        unnamed = any(each and all(f.allergen == ALLERGY for f in each) for each in found)
        return [*named, ALLERGY] if unnamed else named

    def words(self, texts: Iterable[str | None]) -> list[str]:
        """One word for each allergen the texts name, as first written there (``PEANUT``,
        ``花生``), in the order they come; words like "allergy" are left out."""
        first: dict[str, str] = {}
        for text in texts:
            for found in self.find(text or ""):
                if found.allergen != ALLERGY:
                    first.setdefault(found.allergen, (text or "")[found.start : found.end])
        return list(first.values())

    def wire(self) -> dict[str, Any]:
        """The list as JSON-ready data, for a client that applies the rules itself."""
        groups = {name: list(words) for name, words in self.groups.items()}
        return {"mark": ALLERGY_MARK, "generic": ALLERGY, "groups": groups}


DEFAULT_ALLERGENS = Allergens.default()
"""The default list: EU law's 14 allergens and the words for "allergy"."""
