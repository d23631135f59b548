from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from knowledge.text import word_count

# Every character str.split() splits on, and letters from ASCII, Latin-1 and beyond.
_BLANKS = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_ALPHABET = st.sampled_from(_BLANKS + "ab.-'åäöé\x7f\xff’€😀")


@given(st.text(_ALPHABET, max_size=40))
def test_word_count_is_the_number_of_whitespace_separated_words(text: str) -> None:
    assert word_count(text) == len(text.split())


def test_every_blank_separates_words() -> None:
    for blank in _BLANKS:
        assert word_count(f"{blank}a{blank}{blank}b{blank}") == 2, repr(blank)
