"""Listings loaded by id in a given order, and what admin lists can be filtered by."""

from portal.services.programs import filter_choices, load_programs
from tests.support.factories import make_program, make_school


def test_programs_come_back_in_the_order_asked_with_missing_ids_left_out(app):
    with app.app_context():
        ids = [make_program().id for _ in range(3)]
        loaded = load_programs([ids[2], 99999, ids[0]])
        assert [p.id for p in loaded] == [ids[2], ids[0]]
        assert loaded[0].school.name and loaded[0].campus.city == "Chicago"
        assert load_programs([]) == []


def test_filter_choices_list_what_exists(app):
    with app.app_context():
        make_program(make_school("Zenith"), career="phlebotomist", external_id="Z-1")
        make_program(make_school("Acme"), career="medical-assistant", external_id="A-1")
        choices = filter_choices()
        assert [name for _, name in choices.schools] == ["Acme", "Zenith"]
        assert choices.careers == ["medical-assistant", "phlebotomist"]
        assert [label for _, label in choices.programs][0].startswith("Acme: ")
        assert filter_choices(with_programs=False).programs == []
