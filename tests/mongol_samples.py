"""Traditional Mongolian words and lines the tests shape, draw and print (issue 16).

Spelled with code points so what is tested is plain to read; the Latin beside each is its
transliteration. The sentences are sample text for tests, not reviewed translations: the hall's
own texts come from its configuration and a native reader.
"""

from __future__ import annotations

FVS1, FVS2, FVS3, MVS, NNBSP = "\u180b", "\u180c", "\u180d", "\u180e", "\u202f"

# (name, text, what it exercises)
WORDS: list[tuple[str, str, str]] = [
    ("mongɣol", "\u182e\u1823\u1829\u182d\u1823\u182f", "initial, medial, final forms"),
    ("bičig", "\u182a\u1822\u1834\u1822\u182d", "medial i and final g"),
    ("kele", "\u182c\u1821\u182f\u1821", "feminine word, final e"),
    ("üilečilege", "\u1826\u1822\u182f\u1821\u1834\u1822\u182f\u1821\u182d\u1821", "long word"),
    ("čongqo", "\u1834\u1823\u1829\u182c\u1823", "ng cluster"),
    ("töb", "\u1832\u1825\u182a", "ö after t"),
    ("jasaɣ", "\u1835\u1820\u1830\u1820\u182d", "final ɣ"),
    ("dugaar (FVS1)", "\u1833" + FVS1 + "\u1824\u182d\u1820\u1837", "FVS1 on initial d"),
    ("ana (FVS1)", "\u1820\u1828" + FVS1 + "\u1820", "FVS1: dotless medial n"),
    ("ga (FVS1)", "\u182d" + FVS1 + "\u1820", "FVS1 on initial g"),
    ("ga (FVS2)", "\u182d" + FVS2 + "\u1820", "FVS2 on initial g"),
    ("ga (FVS3)", "\u182d" + FVS3 + "\u1820", "FVS3 where the font has no variant"),
    ("naiman (FVS1)", "\u1828\u1820\u1822" + FVS1 + "\u182e\u1820\u1828", "FVS1 on medial i"),
    ("terge (MVS)", "\u1832\u1821\u1837\u182d" + MVS + "\u1821", "MVS before final e"),
    ("qar-a (MVS)", "\u182c\u1820\u1837" + MVS + "\u1820", "MVS before final a"),
    ("mongɣol-un", "\u182e\u1823\u1829\u182d\u1823\u182f" + NNBSP + "\u1824\u1828",
     "NNBSP genitive suffix"),
    ("qota-du", "\u182c\u1823\u1832\u1820" + NNBSP + "\u1833\u1824", "NNBSP dative suffix"),
    ("bičig-i", "\u182a\u1822\u1834\u1822\u182d" + NNBSP + "\u1822", "NNBSP accusative suffix"),
]

# Pairs whose shaping must differ: the control character is honoured, not dropped.
CONTROLS: list[tuple[str, str, str]] = [
    ("FVS1 on d", "\u1833\u1824\u182d\u1820\u1837", "\u1833" + FVS1 + "\u1824\u182d\u1820\u1837"),
    ("FVS1 on n", "\u1820\u1828\u1820", "\u1820\u1828" + FVS1 + "\u1820"),
    ("FVS2 on g", "\u182d\u1820", "\u182d" + FVS2 + "\u1820"),
    ("MVS before e", "\u1832\u1821\u1837\u182d\u1821", "\u1832\u1821\u1837\u182d" + MVS + "\u1821"),
    ("MVS before a", "\u182c\u1820\u1837\u1820", "\u182c\u1820\u1837" + MVS + "\u1820"),
    ("NNBSP suffix", "\u182e\u1823\u1829\u182d\u1823\u182f \u1824\u1828",
     "\u182e\u1823\u1829\u182d\u1823\u182f" + NNBSP + "\u1824\u1828"),
]

# Hangɣin qoyitu qošiɣun-u jasaɣ-un kereg-ün üilečilege-yin töb (杭锦后旗政务服务中心)
HALL = ("\u182c\u1820\u1829\u182d\u1822\u1828 \u182c\u1823\u1836\u1822\u1832\u1824 "
        "\u182c\u1823\u1830\u1822\u182d\u1824\u1828" + NNBSP + "\u1824 "
        "\u1835\u1820\u1830\u1820\u182d" + NNBSP + "\u1824\u1828 "
        "\u182c\u1821\u1837\u1821\u182d" + NNBSP + "\u1826\u1828 "
        "\u1826\u1822\u182f\u1821\u1834\u1822\u182f\u1821\u182d\u1821" + NNBSP + "\u1836\u1822\u1828 "
        "\u1832\u1825\u182a")
# neyigem-ün qamaɣalal-un kart (社会保障卡)
SERVICE = ("\u1828\u1821\u1836\u1822\u182d\u1821\u182e" + NNBSP + "\u1826\u1828 "
           "\u182c\u1820\u182e\u1820\u182d\u1820\u182f\u1820\u182f" + NNBSP + "\u1824\u1828 "
           "\u183a\u1820\u1837\u1832")
# ta dugaar-iyan küliyegerei (请您等候叫号)
SENTENCE = ("\u1832\u1820 \u1833" + FVS1 + "\u1824\u182d\u1820\u1837" + NNBSP
            + "\u1822\u1836\u1820\u1828 \u182c\u1826\u182f\u1822\u1836\u1821\u182d\u1821\u1837"
            "\u1821\u1822")
