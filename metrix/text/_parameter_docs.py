"""The example inputs that several text factories share (see ``metrix._core.docstrings``).

``TRANSCRIPTS``: the word and character error rates score the same two transcripts.
``TRANSLATIONS``: BLEU, SacreBLEU, chrF and TER score the same hypothesis against the same two
references. Each factory's docstring shows only its own call and value.
"""

from __future__ import annotations

from metrix._core.docstrings import Glossary

__all__ = ["TRANSCRIPTS", "TRANSLATIONS"]

TRANSCRIPTS = Glossary(
    {},
    example=">>> from metrix.text import {name}\n"
    '>>> preds = ["this is the prediction", "there is an other sample"]\n'
    '>>> target = ["this is the reference", "there is another one"]',
)

TRANSLATIONS = Glossary(
    {},
    example=">>> from metrix.text import {name}\n"
    '>>> preds = ["the cat is on the mat"]\n'
    '>>> target = [["there is a cat on the mat", "a cat is on the mat"]]',
)
