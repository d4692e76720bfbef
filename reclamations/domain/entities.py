"""rule 19: one install may serve several insurers or mutuals. Each entity has its
identity on letters, its mediator and its default calendar; each complaint belongs to one
(the first, unless its intake names another)."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from reclamations.domain.calendar import CalendarName
from reclamations.domain.letters import DEMO_IDENTITY, INSURANCE_MEDIATOR, InsurerIdentity, Mediator

# The code of the one entity of an install that names none (its complaints' code).
ALONE = "mutex"


class Entity(BaseModel):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    identity: InsurerIdentity
    mediator: Mediator
    calendar: CalendarName = "national"


class Entities(BaseModel):
    """The entities an install serves, the default first."""

    entities: list[Entity] = Field(min_length=1)

    @model_validator(mode="after")
    def _codes_once(self) -> Entities:
        codes = [entity.code for entity in self.entities]
        twice = sorted({code for code in codes if codes.count(code) > 1})
        if twice:
            raise ValueError(f"codes en double : {', '.join(twice)}")
        return self

    @classmethod
    def alone(cls, identity: InsurerIdentity, mediator: Mediator) -> Entities:
        """An install serving one insurer: the settings' own, when no entities file is named."""
        return cls(entities=[Entity(code=ALONE, identity=identity, mediator=mediator)])

    @property
    def default(self) -> Entity:
        return self.entities[0]

    def get(self, code: str | None) -> Entity | None:
        """The entity of that code; the default one for no code."""
        if code is None:
            return self.default
        return next((entity for entity in self.entities if entity.code == code), None)


# The insurer whose commitments this product keeps, alone, when no entities are configured.
DEFAULT_ENTITIES = Entities.alone(DEMO_IDENTITY, INSURANCE_MEDIATOR)
