from smartbank import ids


def test_new_ids_increase_even_within_one_millisecond():
    made = [ids.new_id("tx") for _ in range(2000)]
    assert made == sorted(made) and len(set(made)) == len(made)
    assert all(i.startswith("tx_") and len(i) == 3 + 25 for i in made)


def test_derived_id_is_stable_and_distinct():
    assert ids.derived_id("tx", "a", "b") == ids.derived_id("tx", "a", "b")
    assert ids.derived_id("tx", "a", "b") != ids.derived_id("tx", "ab", "")


def test_tokens_are_unguessable_and_prefixed():
    first, second = ids.token("ctok"), ids.token("ctok")
    assert first != second and first.startswith("ctok_") and len(first) > 30
