"""La Poste's window: six lines of 38 characters, the town (and the country) in capitals."""

import pytest
from pydantic_core import PydanticCustomError

from reclamations.domain.postal import check_postal_address, recipient_block


def test_the_town_is_in_capitals():
    assert recipient_block(" Hélène Garnier ", "12 rue des Tilleuls\n\n69003 Lyon") == [
        "Hélène Garnier",
        "12 rue des Tilleuls",
        "69003 LYON",
    ]


def test_abroad_the_town_and_the_country_are_in_capitals():
    assert recipient_block("Łukasz Wałęsa", "12 rue de Łódź\n90-001 Łódź\nPologne")[-2:] == [
        "90-001 ŁÓDŹ",
        "POLOGNE",
    ]


def test_without_an_address_only_the_name():
    assert recipient_block("Hélène Garnier", None) == ["Hélène Garnier"]


@pytest.mark.parametrize("address", ["1\n2\n3\n4\n5\n6", "x" * 39 + "\n69003 Lyon", " \n \n"])
def test_an_address_that_cannot_fit_is_refused(address):
    with pytest.raises(PydanticCustomError):
        check_postal_address(address)


def test_five_lines_of_38_fit():
    address = "\n".join(["x" * 38] * 5)
    assert check_postal_address(address) == address


def test_an_address_kept_before_the_rules_still_loads():
    """A running complaint's state is read again at every replay: only what comes in is
    checked."""
    from reclamations.domain.intake import Complainant

    address = "12 boulevard du Maréchal de Lattre de Tassigny\n75016 Paris"
    kept = Complainant.model_validate({"name": "Hélène Garnier", "postal_address": address})
    assert kept.postal_address == address
