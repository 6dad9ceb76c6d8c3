"""null_reasons: each null of the annotated latest.json blocks says why it is null."""

from section11.outputs.null_reasons import (
    BLOCKS,
    NOT_APPLICABLE,
    NOT_ENOUGH_DATA,
    SOURCE_UNAVAILABLE,
    annotate_nulls,
    null_reasons,
)


def test_reasons_name_only_the_null_fields_in_block_order():
    block = {"b": None, "a": 1, "c": None, "d": 0, "e": {"x": None}}
    assert null_reasons(block, NOT_ENOUGH_DATA, {"c": NOT_APPLICABLE}) == {
        "b": NOT_ENOUGH_DATA,
        "c": NOT_APPLICABLE,
    }


def test_annotate_adds_reasons_per_block_and_leaves_the_input_alone():
    doc = {
        "current_status": {
            "fitness": {"ctl": None, "atl": None, "fitness_source": "x"},
            "thresholds": {"eftp": 250},
        },
        "derived_metrics": {
            "acwr": None,
            "vo2max": None,
            "consistency_index": None,
            "capability": {"durability": {"trend": None, "note": "n"}},
            "phase_detection": {"dossier_declared": None, "previous_phase": None},
        },
        "race_calendar": {"next_race": None, "all_races": []},
        "wellness_data": [{"mood": None}],
    }
    out = annotate_nulls(doc)
    assert out["current_status"]["fitness"]["null_reasons"] == {
        "ctl": SOURCE_UNAVAILABLE,
        "atl": SOURCE_UNAVAILABLE,
    }
    assert "null_reasons" not in out["current_status"]["thresholds"]  # nothing null
    assert out["derived_metrics"]["null_reasons"] == {
        "acwr": NOT_ENOUGH_DATA,
        "vo2max": SOURCE_UNAVAILABLE,
        "consistency_index": NOT_APPLICABLE,
    }
    assert out["derived_metrics"]["capability"]["durability"]["null_reasons"] == {
        "trend": NOT_ENOUGH_DATA
    }
    assert out["derived_metrics"]["phase_detection"]["null_reasons"] == {
        "dossier_declared": NOT_APPLICABLE,
        "previous_phase": NOT_ENOUGH_DATA,
    }
    assert out["race_calendar"]["null_reasons"] == {"next_race": NOT_APPLICABLE}
    assert out["wellness_data"] == [{"mood": None}]  # rows are not annotated
    assert "null_reasons" not in doc["derived_metrics"]  # input untouched


def test_missing_or_null_blocks_are_skipped():
    assert annotate_nulls({"derived_metrics": None}) == {"derived_metrics": None}
    assert annotate_nulls({}) == {}


def test_every_reason_is_one_of_the_three():
    codes = {NOT_APPLICABLE, NOT_ENOUGH_DATA, SOURCE_UNAVAILABLE}
    for default, named in BLOCKS.values():
        assert default in codes and set(named.values()) <= codes
