"""rule 17: what each complaint is about, in closed lists the insurer configures, so
that the register can be analysed by product, reason and outcome (ACPR recommendation
2024-R-02, EIOPA's guidelines on complaints handling).

The lists are configuration (a file named in the settings); the default below suits French
insurance and prévoyance. Each reason names the mediator's domain it falls under. A complaint
keeps codes; labels come from the configuration in force when a register is written."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

OTHER = "autre"


class ComplainantType(StrEnum):
    member = "member"
    former_member = "former_member"
    beneficiary = "beneficiary"
    prospect = "prospect"
    representative = "representative"


COMPLAINANT_TYPE_LABELS = {
    ComplainantType.member: "adhérent ou assuré",
    ComplainantType.former_member: "ancien adhérent",
    ComplainantType.beneficiary: "bénéficiaire",
    ComplainantType.prospect: "prospect",
    ComplainantType.representative: "représentant (mandataire, tuteur, avocat)",
}


class Reason(BaseModel):
    label: str
    mediator_domain: str
    sub_reasons: dict[str, str] = {}


class Typology(BaseModel):
    """The closed lists: codes (stable, kept by complaints) and their labels."""

    product_lines: dict[str, str] = Field(min_length=1)
    reasons: dict[str, Reason] = Field(min_length=1)
    root_causes: dict[str, str] = Field(min_length=1)

    def problems(
        self,
        product_line: str | None = None,
        reason: str | None = None,
        sub_reason: str | None = None,
        root_cause: str | None = None,
    ) -> list[tuple[str, str]]:
        """(field, why) for each code that is not in the lists."""
        found: list[tuple[str, str]] = []
        if product_line is not None and product_line not in self.product_lines:
            found.append(("product_line", f"gamme inconnue : {product_line}"))
        if reason is not None and reason not in self.reasons:
            found.append(("reason", f"motif inconnu : {reason}"))
        if sub_reason is not None and reason is None:
            found.append(("sub_reason", "à donner avec son motif"))
        elif sub_reason is not None:
            known = self.reasons.get(reason or "")
            if known is None or sub_reason not in known.sub_reasons:
                found.append(("sub_reason", f"sous-motif inconnu pour ce motif : {sub_reason}"))
        if root_cause is not None and root_cause not in self.root_causes:
            found.append(("root_cause", f"cause inconnue : {root_cause}"))
        return found


def _reason(label: str, domain: str, **subs: str) -> Reason:
    return Reason(label=label, mediator_domain=domain, sub_reasons=subs)


DEFAULT_TYPOLOGY = Typology(
    product_lines={
        "sante": "Complémentaire santé",
        "prevoyance": "Prévoyance (incapacité, invalidité, décès)",
        "obseques": "Obsèques",
        "emprunteur": "Assurance emprunteur",
        "epargne_retraite": "Épargne et retraite",
        "dependance": "Dépendance",
        OTHER: "Autre",
    },
    reasons={
        "prestations": _reason(
            "Prestations et remboursements",
            "Prestations",
            delai="délai de règlement",
            montant="montant réglé contesté",
            refus="refus de prise en charge",
            tiers_payant="tiers payant",
        ),
        "cotisations": _reason(
            "Cotisations",
            "Cotisations",
            montant="montant ou augmentation",
            prelevement="prélèvement ou remboursement de cotisation",
        ),
        "contrat": _reason(
            "Vie du contrat",
            "Gestion du contrat",
            adhesion="adhésion ou modification",
            resiliation="résiliation",
            garanties="étendue des garanties",
        ),
        "decision_medicale": _reason(
            "Décision médicale",
            "Prestations",
            expertise="conclusions d'expertise",
            taux="taux d'incapacité ou d'invalidité",
        ),
        "information_conseil": _reason(
            "Information et conseil",
            "Commercialisation",
            devoir_conseil="devoir de conseil",
            documents="documents contractuels",
        ),
        "qualite_service": _reason(
            "Qualité de service",
            "Relation client",
            accueil="accueil et joignabilité",
            delai_traitement="délai de traitement",
            erreur="erreur de gestion",
        ),
        "donnees_personnelles": _reason(
            "Données personnelles", "Relation client", acces="accès ou rectification"
        ),
        OTHER: _reason("Autre", "Autre"),
    },
    root_causes={
        "erreur_gestion": "Erreur de gestion",
        "delai_traitement": "Délai de traitement",
        "information_insuffisante": "Information insuffisante ou peu claire",
        "clause_contractuelle": "Application d'une clause du contrat",
        "decision_medicale": "Décision médicale",
        "outil_informatique": "Outil informatique",
        "tiers": "Fait d'un tiers (organisme gestionnaire, prestataire)",
        "aucune_anomalie": "Aucune anomalie de notre part",
        OTHER: "Autre",
    },
)
