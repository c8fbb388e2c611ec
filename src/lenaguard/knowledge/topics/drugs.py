"""Drug catalogue: names, brands, synonyms and RxNorm codes, grouped into classes the rules use."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from lenaguard.knowledge.base import Cited, Topic
from lenaguard.knowledge.loader import register


class DrugClass(Cited):
    description: str


class Drug(Cited):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    names: list[str] = Field(min_length=1, description="Generic name first, then synonyms.")
    brands: list[str] = Field(default_factory=list)
    rxnorm: list[str] = Field(
        default_factory=list, description="RxNorm ingredient or product codes."
    )
    classes: list[str] = Field(min_length=1)


@register("drugs")
class DrugCatalogue(Topic):
    topic: Literal["drugs"] = "drugs"
    classes: dict[str, DrugClass]
    drugs: list[Drug]

    @model_validator(mode="after")
    def _known_classes(self) -> DrugCatalogue:
        for drug in self.drugs:
            unknown = sorted(set(drug.classes) - set(self.classes))
            if unknown:
                raise ValueError(f"drug {drug.id}: unknown classes {', '.join(unknown)}")
        ids = [drug.id for drug in self.drugs]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"drug ids repeated: {', '.join(repeated)}")
        return self

    def members(self, drug_class: str) -> list[Drug]:
        if drug_class not in self.classes:
            raise KeyError(drug_class)
        return [drug for drug in self.drugs if drug_class in drug.classes]
