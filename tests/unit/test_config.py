"""FLOWTIME_* values: typed strictly, and a bad one is named with what it expects and what it got."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.config import FALSE_WORDS, LOG_LEVELS, TRUE_WORDS, Config
from app.errors import ConfigError


@pytest.mark.parametrize("word", [*TRUE_WORDS, "TRUE", " Yes "])
def test_true_words(word):
    assert Config.from_env({"FLOWTIME_AUTO_DISCOVER": word}).auto_discover is True


@pytest.mark.parametrize("word", [*FALSE_WORDS, "FALSE", " off "])
def test_false_words(word):
    assert Config.from_env({"FLOWTIME_AUTO_DISCOVER": word}).auto_discover is False


@given(st.text(max_size=12).filter(lambda t: t.strip() and t.strip().lower() not in TRUE_WORDS + FALSE_WORDS))
def test_anything_else_is_not_a_boolean(value):
    with pytest.raises(ConfigError) as refused:
        Config.from_env({"FLOWTIME_ALLOW_OPEN": value})
    assert refused.value.message.startswith("FLOWTIME_ALLOW_OPEN expects a boolean") and repr(value) in refused.value.message


@pytest.mark.parametrize("value", ["ten", "-1", "1.5", "1e3"])
def test_numbers_name_the_variable(value):
    with pytest.raises(ConfigError) as refused:
        Config.from_env({"FLOWTIME_MAX_BODY_MB": value})
    assert refused.value.message == f"FLOWTIME_MAX_BODY_MB expects a whole number >= 0, got {value!r}"
    assert "max_body_mb" not in refused.value.message


def test_log_levels():
    assert Config.from_env({"FLOWTIME_LOG_LEVEL": "debug"}).log_level == "DEBUG"
    for level in LOG_LEVELS:
        assert Config.from_env({"FLOWTIME_LOG_LEVEL": level}).log_level == level
    with pytest.raises(ConfigError, match="FLOWTIME_LOG_LEVEL expects one of DEBUG"):
        Config.from_env({"FLOWTIME_LOG_LEVEL": "loud"})


def test_empty_means_default():
    assert Config.from_env({"FLOWTIME_AUTO_DISCOVER": "", "FLOWTIME_MAX_BODY_MB": ""}) == Config()
