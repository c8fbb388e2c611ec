"""Drug catalogue: names, brands, synonyms and RxNorm codes, grouped into classes the rules use."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, PrivateAttr, model_validator

from lenaguard.knowledge.base import Cited, Topic
from lenaguard.knowledge.registry import register

_WORD = re.compile(r"[^\W_]+(?:'[a-z]+)?")


def name_words(text: str) -> tuple[str, ...]:
    """A medication name as lower-case words ("Epivir-HBV" → ("epivir", "hbv"))."""
    return tuple(_WORD.findall(text.lower().replace("-", " ")))


class DrugClass(Cited):
    statement_template = "{description}: a drug class of lenaguard's catalogue, used to check interactions with lenalidomide."
    description: str


class Drug(Cited):
    statement_template = "The drug catalogue lists {names} (brand names: {brands}) in the drug classes {classes}; lenaguard checks interactions by these classes."
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

    _by_words: dict[tuple[str, ...], tuple[Drug, str]] = PrivateAttr(default_factory=dict)
    _by_rxnorm: dict[str, Drug] = PrivateAttr(default_factory=dict)
    _found: dict[tuple[str | None, str | None], tuple[Drug, str] | None] = PrivateAttr(
        default_factory=dict
    )

    def model_post_init(self, context: object, /) -> None:
        """Index names, brands and codes once, so recognising a medication is a few look-ups."""
        for drug in self.drugs:
            for label in (*drug.names, *drug.brands):
                self._by_words.setdefault(name_words(label), (drug, label))
            for code in drug.rxnorm:
                self._by_rxnorm.setdefault(code, drug)

    def find(self, name: str | None, rxnorm: str | None) -> tuple[Drug, str] | None:
        """The drug a medication entry names, and what matched (remembered per entry):
        the RxNorm code first, then the longest name or brand among its words."""
        key = (name, rxnorm)
        if key not in self._found:
            found = None
            drug = None if rxnorm is None else self.drug_for_rxnorm(rxnorm)
            if drug is not None:
                found = (drug, f"rxnorm:{rxnorm}")
            elif name is not None:
                found = self.drug_for_words(name_words(name))
            self._found[key] = found
        return self._found[key]

    def drug_for_rxnorm(self, code: str) -> Drug | None:
        return self._by_rxnorm.get(code)

    def drug_for_words(self, words: tuple[str, ...]) -> tuple[Drug, str] | None:
        """The drug whose name or brand is the longest run of `words`, and that name."""
        for width in range(len(words), 0, -1):
            for start in range(len(words) - width + 1):
                found = self._by_words.get(words[start : start + width])
                if found is not None:
                    return found
        return None

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
