"""Two entities for the tests of DESIGN rule 19: the seed's insurer, and a mutual answering to
the Médiateur de la Mutualité Française, in Alsace."""

ENTITIES_TOML = """
[[entities]]
code = "mutex"
identity = { name = "MUTEX" }
mediator = { name = "La Médiation de l'Assurance" }

[[entities]]
code = "mutuelle-est"
calendar = "alsace"
[entities.identity]
name = "Mutuelle de l'Est"
legal_form = "Mutuelle"
regulated_by = "Code de la mutualité"
address = "3 place Kléber\\n67000 Strasbourg"
place = "Strasbourg"
registered_office = "3 place Kléber, 67000 Strasbourg"
medical_service = "Médecin Conseil de la Mutuelle de l'Est"
medical_address = "Service médical – BP 40021\\n67001 Strasbourg Cedex"
[entities.mediator]
name = "Le Médiateur de la Mutualité Française"
address = "FNMF, 255 rue de Vaugirard\\n75719 Paris Cedex 15"
website = "www.mediateur-mutualite.fr"
"""
