from healer.model.records import PropertyDifference, ResourceDrift
from healer.state.fingerprint import drift_changes, drift_fingerprint, resource_digests


def diff(
    path: str, expected: str | None, actual: str | None, kind: str = "NOT_EQUAL"
) -> PropertyDifference:
    return PropertyDifference(path=path, expected=expected, actual=actual, difference_type=kind)


def drift(
    logical_id: str,
    *differences: PropertyDifference,
    status: str = "MODIFIED",
    physical_id: str = "p",
) -> ResourceDrift:
    return ResourceDrift(
        logical_id=logical_id,
        physical_id=physical_id,
        resource_type="AWS::SSM::Parameter",
        drift_status=status,
        differences=list(differences),
    )


QUEUE = drift("Queue", diff("/VisibilityTimeout", "30", "60"), diff("/DelaySeconds", "0", "5"))
PARAM = drift("Param", diff("/Value", "a", "b"))
TABLE_DELETED = drift("Table", status="DELETED")


def test_no_drift_has_the_empty_fingerprint() -> None:
    assert drift_fingerprint([]) == ""


def test_fingerprint_is_a_sha256_independent_of_resource_and_property_order() -> None:
    swapped = drift(
        "Queue", diff("/DelaySeconds", "0", "5"), diff("/VisibilityTimeout", "30", "60")
    )
    first = drift_fingerprint([QUEUE, PARAM])
    assert len(first) == 64 and int(first, 16) >= 0
    assert drift_fingerprint([PARAM, swapped]) == first


def test_fingerprint_changes_with_any_value_path_status_or_resource() -> None:
    base = drift_fingerprint([PARAM])
    assert drift_fingerprint([drift("Param", diff("/Value", "a", "c"))]) != base  # actual value
    assert drift_fingerprint([drift("Param", diff("/Value", "x", "b"))]) != base  # expected value
    assert drift_fingerprint([drift("Param", diff("/Description", "a", "b"))]) != base  # path
    assert drift_fingerprint([drift("Param", diff("/Value", "a", "b", "ADD"))]) != base
    assert drift_fingerprint([PARAM, TABLE_DELETED]) != base  # a DELETED resource counts
    assert drift_fingerprint([drift("Param", status="DELETED")]) != base


def test_physical_id_is_not_part_of_the_drift() -> None:
    moved = drift("Param", diff("/Value", "a", "b"), physical_id="other")
    assert drift_fingerprint([moved]) == drift_fingerprint([PARAM])


def test_digests_are_short_per_resource_and_track_changes() -> None:
    before = resource_digests([QUEUE, PARAM, TABLE_DELETED])
    assert set(before) == {"Queue", "Param", "Table"}
    assert all(len(d) == 16 for d in before.values())
    after = resource_digests(
        [
            drift("Param", diff("/Value", "a", "z")),
            TABLE_DELETED,
            drift("Topic", diff("/DisplayName", "t", "u")),
        ]
    )
    changes = drift_changes(before, after)
    assert changes.added == ["Topic"]
    assert changes.removed == ["Queue"]
    assert changes.changed == ["Param"]
    assert changes.summary() == "new drift: Topic; drift changed: Param; no longer drifted: Queue"


def test_same_drift_has_no_changes() -> None:
    digests = resource_digests([QUEUE])
    changes = drift_changes(digests, resource_digests([QUEUE]))
    assert not changes.any
    assert changes.summary() == "no resource-level change"
