"""Tests of events.actors: ISO 3166 states canonicalised to alpha-3, and slugs (docs/format.md,
"Actors")."""

import pytest

from events.actors import InvalidActor, canonical_actor, canonical_state, is_state, state_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("US", "USA"),
        ("us", "USA"),
        ("Us", "USA"),
        ("USA", "USA"),
        ("cn", "CHN"),
        ("CN", "CHN"),
        ("CHN", "CHN"),
        ("gb", "GBR"),
        ("DEU", "DEU"),
    ],
)
def test_states_are_canonicalised_to_alpha_3(text: str, expected: str) -> None:
    assert canonical_actor(text) == expected
    assert canonical_state(text) == expected
    assert is_state(expected)


@pytest.mark.parametrize(("text", "expected"), [("SUN", "SUN"), ("YUG", "YUG"), ("SU", "SUN")])
def test_former_states_of_iso_3166_3_are_accepted(text: str, expected: str) -> None:
    assert canonical_actor(text) == expected
    assert is_state(expected)
    assert "Soviet" in state_name("SUN")


@pytest.mark.parametrize("text", ["XX", "ZZZ", "QQ"])
def test_unknown_upper_case_country_codes_are_refused_as_unknown_country_codes(text: str) -> None:
    with pytest.raises(InvalidActor, match="unknown country code") as caught:
        canonical_actor(text)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize("text", ["XX", "ZZZ", "eu", "usa"])
def test_canonical_state_refuses_what_names_no_state(text: str) -> None:
    with pytest.raises(InvalidActor, match="unknown country code"):
        canonical_state(text)


@pytest.mark.parametrize("slug", ["eu", "tsinghua-ciss", "brookings", "jake-sullivan", "g7", "0x"])
def test_slugs_are_kept_as_they_are(slug: str) -> None:
    assert canonical_actor(slug) == slug
    assert not is_state(slug)


@pytest.mark.parametrize("text", ["Bad Slug", "-x", "", "Eu-Org", "a_b", "a b", "é", "usa!"])
def test_malformed_actor_ids_are_refused_with_the_reason(text: str) -> None:
    with pytest.raises(InvalidActor, match="is not an actor id"):
        canonical_actor(text)


def test_lower_case_three_letters_are_a_slug_not_a_state_so_usa_stays_usa() -> None:
    # Only alpha-2 codes are accepted in lower case; a lower-case alpha-3 (`usa`, `chn`) is a
    # slug that an ActorRegistered must create, never the state.
    assert canonical_actor("usa") == "usa"
    assert canonical_actor("chn") == "chn"
    assert not is_state("usa")


def test_state_name() -> None:
    assert state_name("CHN") == "China"
    with pytest.raises(InvalidActor):
        state_name("ZZZ")
