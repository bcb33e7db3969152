import pytest

from containment import PRESETS, RuleError, custom_rule, get_rule


@pytest.mark.parametrize(
    ("name", "containment_m", "buffer_m", "release_days"),
    [
        ("mohfw-2020-urban", 3000, 5000, 28),
        ("mohfw-2020-rural", 3000, 7000, 28),
        ("mohfw-2020-07", 3000, 5000, 14),
        ("rajasthan-1km", 1000, 0, 28),
        ("kerala-micro-2021", 100, 0, 7),
    ],
)
def test_presets_carry_the_published_numbers(name, containment_m, buffer_m, release_days):
    rule = get_rule(name)
    assert (rule.containment_radius_m, rule.buffer_m, rule.release_after_days) == (
        containment_m,
        buffer_m,
        release_days,
    )


def test_kerala_micro_zone_needs_five_cases():
    assert get_rule("kerala-micro-2021").min_cases == 5


@pytest.mark.parametrize("rule", PRESETS.values(), ids=list(PRESETS))
def test_every_preset_says_where_it_comes_from(rule):
    assert len(rule.source) > 40
    assert rule.title


def test_unknown_rule_lists_the_known_ones():
    with pytest.raises(RuleError, match=r"Unknown rule 'who-2020'.*mohfw-2020-urban"):
        get_rule("who-2020")


def test_custom_rule_is_named_after_its_numbers():
    rule = custom_rule(containment_radius_m=500, buffer_m=1500, release_after_days=21)
    assert rule.name == "custom-500m-1500m-21d"
    assert rule.outer_radius_m == 2000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"containment_radius_m": 0}, "containment radius must be more than 0 m"),
        ({"containment_radius_m": 100, "buffer_m": -5}, "buffer width cannot be negative"),
        ({"containment_radius_m": 100, "release_after_days": 0}, "at least 1 day"),
    ],
)
def test_impossible_custom_rules_are_refused(kwargs, message):
    with pytest.raises(RuleError, match=message):
        custom_rule(**kwargs)
