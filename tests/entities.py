"""Two entities for the tests of rule 19, those of examples/entities.toml: the seed's
insurer (a société anonyme), and a mutual answering to the Médiateur de la Mutualité Française,
in Alsace. No name, service, address or website of one is found in the other."""

from pathlib import Path

ENTITIES_TOML = (Path(__file__).parents[1] / "examples" / "entities.toml").read_text(
    encoding="utf-8"
)
