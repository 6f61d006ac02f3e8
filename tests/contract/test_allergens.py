"""The allergen word list and its matcher (kds_contract.allergens), shared by every screen."""

from __future__ import annotations

import pytest

from kds_contract.allergens import (
    ALLERGY,
    DEFAULT_ALLERGENS,
    EAST_ASIAN_WORDS,
    EU_ALLERGENS,
    Allergens,
    ConfigError,
)


def words(text: str, allergens: Allergens = DEFAULT_ALLERGENS) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], f.allergen) for f in allergens.find(text)]


def test_their_words_in_chinese_japanese_and_korean():
    assert set(EAST_ASIAN_WORDS) == set(EU_ALLERGENS)
    for name, group in EAST_ASIAN_WORDS.items():
        for word in group:
            found = DEFAULT_ALLERGENS.find(f"不要{word}!")
            assert [f.allergen for f in found] == [name], word


def test_the_14_allergens_of_eu_law_are_all_there():
    assert len(EU_ALLERGENS) == 14
    assert set(EU_ALLERGENS) == {
        "gluten",
        "crustaceans",
        "eggs",
        "fish",
        "peanuts",
        "soybeans",
        "milk",
        "nuts",
        "celery",
        "mustard",
        "sesame",
        "sulphites",
        "lupin",
        "molluscs",
    }
    for name, group in EU_ALLERGENS.items():
        for word in group:
            found = DEFAULT_ALLERGENS.find(f"no {word.rstrip('*')} please")
            assert [f.allergen for f in found] == [name], word


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SEVERE PEANUT ALLERGY", [("PEANUT", "peanuts"), ("ALLERGY", ALLERGY)]),
        ("#SESAME ALLERGY", [("SESAME", "sesame"), ("ALLERGY", ALLERGY)]),
        ("no nuts, no Walnuts", [("nuts", "nuts"), ("Walnuts", "nuts")]),
        ("Allergies: shellfish", [("Allergies", ALLERGY), ("shellfish", "crustaceans")]),
        ("tree-nut free", [("tree-nut", "nuts")]),  # the longer word wins
        ("gluten-free bun", [("gluten", "gluten")]),
        ("EGGS on the side", [("EGGS", "eggs")]),
        # Words in Chinese and Japanese match inside a run of text.
        ("花生严重过敏", [("花生", "peanuts"), ("过敏", ALLERGY)]),
        ("ピーナッツアレルギー", [("ピーナッツ", "peanuts"), ("アレルギー", ALLERGY)]),
        ("鱿鱼和虾", [("鱿鱼", "molluscs"), ("虾", "crustaceans")]),  # the longer word wins
        ("حساسية شديدة", [("حساسية", ALLERGY)]),
        ("Die Allergie", [("Allergie", ALLERGY)]),
        ("cafe\u0301 MILK", [("MILK", "milk")]),
    ],
)
def test_allergen_words_are_found_whatever_the_case_and_script(
    text: str, expected: list[tuple[str, str]]
):
    assert words(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Birthday candle", "nutmeg", "eggplant", "codes", "dish", "ryegrass", "スイカ", "タコス"],
)
def test_words_that_only_contain_an_allergen_word_are_not_marked(text: str):
    assert words(text) == []
    assert not DEFAULT_ALLERGENS.mentions(text)


def test_what_a_set_of_texts_names():
    named = DEFAULT_ALLERGENS.named(["SEVERE PEANUT ALLERGY", None, "no sesame", "candle"])
    assert named == ["peanuts", "sesame"], "in the list's order; 'allergy' adds nothing"
    assert DEFAULT_ALLERGENS.named(["花生严重过敏"]) == ["peanuts"]
    assert DEFAULT_ALLERGENS.named(["猕猴桃过敏"]) == [ALLERGY], "kiwi: in no group"
    # An allergy the list does not know is not hidden by one it knows in another text.
    assert DEFAULT_ALLERGENS.named(["NO NUTS", "kiwi allergy"]) == ["nuts", ALLERGY]
    assert DEFAULT_ALLERGENS.named(["NO NUTS", "nut allergy"]) == ["nuts"]
    assert DEFAULT_ALLERGENS.named(["Birthday candle"]) == []


def test_what_says_allergy():
    assert DEFAULT_ALLERGENS.says_allergy("宫保鸡丁 花生严重过敏")
    assert DEFAULT_ALLERGENS.says_allergy("Pad thai (ANAPHYLAXIS risk)")
    assert not DEFAULT_ALLERGENS.says_allergy("Peanut noodles")
    assert not DEFAULT_ALLERGENS.says_allergy(None)


def test_one_word_for_each_allergen_as_written():
    texts = ["no Nuts, SEVERE PEANUT ALLERGY", None, "walnuts", "花生严重过敏", "Sesame"]
    assert DEFAULT_ALLERGENS.words(texts) == ["Nuts", "PEANUT", "Sesame"]


def test_a_site_adds_and_ignores_words():
    mine = DEFAULT_ALLERGENS.changed({"peanuts": ["花生"], "chilli": ["chil*"]}, ignore=["OATS"])
    assert words("花生严重过敏", mine) == [("花生", "peanuts"), ("过敏", ALLERGY)]
    assert words("extra chillies", mine) == [("chillies", "chilli")]
    assert words("porridge oats", mine) == []
    assert words("porridge oats") == [("oats", "gluten")], "the default list is untouched"
    only = DEFAULT_ALLERGENS.changed({"chilli": ["chilli"]}, keep=False)
    assert words("chilli, peanut allergy", only) == [("chilli", "chilli")]
    with pytest.raises(ConfigError, match="not a word"):
        DEFAULT_ALLERGENS.changed({"peanuts": [""]})
    with pytest.raises(ConfigError, match="list of words"):
        DEFAULT_ALLERGENS.changed({"peanuts": "peanut"})  # type: ignore[dict-item]


def test_the_list_goes_on_the_wire_as_plain_data():
    wire = DEFAULT_ALLERGENS.wire()
    assert wire["mark"] == "⚠" and wire["generic"] == ALLERGY
    assert wire["groups"]["peanuts"] == [
        "peanut",
        "groundnut",
        "arachis",
        "花生",
        "ピーナッツ",
        "땅콩",
    ]
    assert Allergens(wire["groups"]).groups == DEFAULT_ALLERGENS.groups
