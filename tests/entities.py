"""Two entities for the tests of DESIGN rule 19: the seed's insurer (a société anonyme), and a
mutual answering to the Médiateur de la Mutualité Française, in Alsace. No name, service,
address or website of one is found in the other."""

ENTITIES_TOML = """
[[entities]]
code = "mutex"
[entities.identity]
name = "MUTEX"
legal_form = "Société anonyme"
share_capital = "37 302 300 €"
rcs = "RCS Nanterre 000 000 000"
regulated_by = "Code des assurances"
service = "Service Qualité Relations Adhérents"
address = "140 avenue de la République\\n92327 Châtillon Cedex"
place = "Châtillon"
registered_office = "140 avenue de la République, 92320 Châtillon"
medical_service = "Médecin Conseil de Mutex"
email = "reclamations@mutex.example"
[entities.mediator]
name = "La Médiation de l'Assurance"
address = "TSA 50110\\n75441 Paris Cedex 09"
website = "www.mediation-assurance.org"

[[entities]]
code = "mutuelle-est"
calendar = "alsace"
[entities.identity]
name = "Mutuelle de l'Est"
legal_form = "Mutuelle"
siren = "775 000 001"
service = "Pôle Écoute Adhérents"
address = "3 place Kléber\\n67000 Strasbourg"
place = "Strasbourg"
registered_office = "3 place Kléber, 67000 Strasbourg"
medical_service = "Médecin Conseil de la Mutuelle de l'Est"
medical_address = "Service médical – BP 40021\\n67001 Strasbourg Cedex"
email = "ecoute@mutuelle-est.example"
phone = "03 88 00 00 00"
website = "www.mutuelle-est.example"
[entities.mediator]
name = "Le Médiateur de la Mutualité Française"
address = "FNMF, 255 rue de Vaugirard\\n75719 Paris Cedex 15"
website = "www.mediateur-mutualite.fr"
"""
