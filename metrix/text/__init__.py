"""Text metrics, named and parametrised as in ``torchmetrics.functional.text``.

Inputs are strings or lists of strings (SQuAD: dicts; perplexity: tensors); the string
work happens on the host in ``update`` and the states are integer and float64 counters,
so they merge and sync exactly. ``rapidfuzz`` (the ``text`` extra) speeds up the edit
distances; without it a pure-Python kernel gives the same values.
"""

from metrix.text._bleu import bleu_score as bleu_score
from metrix.text._bleu import sacre_bleu_score as sacre_bleu_score
from metrix.text._chrf import chrf_score as chrf_score
from metrix.text._edit_distance import edit_distance as edit_distance
from metrix.text._eed import extended_edit_distance as extended_edit_distance
from metrix.text._error_rates import char_error_rate as char_error_rate
from metrix.text._error_rates import match_error_rate as match_error_rate
from metrix.text._error_rates import word_error_rate as word_error_rate
from metrix.text._error_rates import word_information_lost as word_information_lost
from metrix.text._error_rates import word_information_preserved as word_information_preserved
from metrix.text._perplexity import perplexity as perplexity
from metrix.text._rouge import rouge_score as rouge_score
from metrix.text._squad import squad as squad
from metrix.text._ter import translation_edit_rate as translation_edit_rate
