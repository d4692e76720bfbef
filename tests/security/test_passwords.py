"""The password policy knows what French users choose: their common passwords and AZERTY
keyboard walks, with the digits and signs they add, besides zxcvbn's English lists."""

import pytest

from reclamations.security.passwords import MAX_LENGTH, password_problem


@pytest.mark.parametrize(
    "password",
    [
        "motdepasse2024",  # the French "password"
        "Marseille2013!",
        "chouchou2025!",
        "jetaime2024!!",
        "Doudou.Loulou1",  # two common ones side by side
        "bonjour2024bonjour",
        "soleil13marseille",
        "Password2024!",  # zxcvbn's own list, with a year and a sign
        "qsdfghjklm2024",  # AZERTY rows
        "zertyuiop2024",
        "wxcvbn,;:!2024",
        "&é\"'(-è_çà123",  # the AZERTY digits row, unshifted
    ],
)
def test_french_common_passwords_and_azerty_walks_are_refused(password):
    assert password_problem(password) is not None


@pytest.mark.parametrize(
    "password",
    [
        "le chat de ma voisine mange des fraises",
        "une-toute-nouvelle-phrase",
        "x7Kp2qL9mZ4w",  # random: its letters are no word
        "une très longue phrase de passe, " * 6,  # beyond zxcvbn's default 72 characters
    ],
)
def test_passphrases_and_random_passwords_still_do(password):
    assert len(password) <= MAX_LENGTH
    assert password_problem(password) is None
