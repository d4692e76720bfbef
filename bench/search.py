"""The search at 100,000 complaints (issue 29): p50 and p95 per kind of search, on SQLite and,
with BENCH_POSTGRES_URL, on PostgreSQL. Target: p95 under 100 ms for every kind.

    python -m bench.search [COUNT] [QUERIES_PER_KIND]

The complaints' rows are written in bulk, as the record writes them (`complaint_row`, and the
tokens of `token_rows`), from a few hundred complaints built by the domain and given each its
own reference, name, email, member number, assignee and registration instant: building and
recording 100,000 complaints one by one would take most of an hour and measure nothing more.
Names are drawn from 60 first names and about 4,000 surnames made of syllables, so a first
name alone matches some 1,700 complaints (the worst case: one common word) and a full name a
handful. One complaint in twenty is medical: the Médecin Conseil searches for those, the others for
the rest (they could not find a medical complainant by name). Each search goes through the door
(`ComplaintService.search`), as the page and the API call it, without Temporal (it needs none).
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import insert
from temporalio.client import Client

from bench.common import database_label, fresh_database, summary_ms, write_result
from reclamations.activities.records import complaint_row
from reclamations.db.engine import create_engine, session_factory
from reclamations.db.migrate import upgrade
from reclamations.db.models import ComplaintRow, SearchTokenRow
from reclamations.db.search import token_rows
from reclamations.domain.access import Principal, Role
from reclamations.domain.complaint import Complaint
from reclamations.domain.intake import parse_intake
from reclamations.domain.planning import plan_complaint
from reclamations.domain.policy import Policy
from reclamations.security.blind_index import BlindIndex
from reclamations.security.keyring import Keyring
from reclamations.service import ComplaintService

FIRST = [
    "Marie",
    "Jean",
    "Pierre",
    "Michel",
    "André",
    "Philippe",
    "Nathalie",
    "Isabelle",
    "Sophie",
    "Catherine",
    "Hélène",
    "Louis",
    "Nicolas",
    "Julien",
    "Camille",
    "Léa",
    "Chloé",
    "Emma",
    "Hugo",
    "Lucas",
    "Thomas",
    "Manon",
    "Inès",
    "Sarah",
    "Paul",
    "Anne",
    "Éric",
    "Claire",
    "Luc",
    "Olivier",
    "Sylvie",
    "Martine",
    "Christophe",
    "Stéphane",
    "Valérie",
    "Laurent",
    "Céline",
    "Émilie",
    "Mathieu",
    "Aurélie",
    "Benoît",
    "Élodie",
    "Jérôme",
    "François",
    "Françoise",
    "Gérard",
    "Bernard",
    "Monique",
    "Denise",
    "Antoine",
    "Agnès",
    "Yves",
    "Josiane",
    "Thierry",
    "Pascal",
    "Sandrine",
    "Frédéric",
    "Véronique",
    "Patrick",
    "Chantal",
]
HEADS = [
    "Bar",
    "Ber",
    "Bon",
    "Bou",
    "Cha",
    "Che",
    "Dau",
    "Des",
    "Dub",
    "Dur",
    "Fau",
    "Gar",
    "Gau",
    "Gir",
    "Lam",
    "Lan",
    "Leb",
    "Lef",
    "Mar",
    "Mer",
    "Mor",
]
MIDDLES = ["na", "ni", "ri", "ro", "la", "le", "mi", "mo", "ta", "te", "ba", "be", "vi", "ga"]
TAILS = [
    "nier",
    "det",
    "ron",
    "chet",
    "geot",
    "lard",
    "mant",
    "tin",
    "vin",
    "zet",
    "quet",
    "bert",
    "mond",
    "card",
    "ault",
    "in",
    "on",
]
CHANNELS = ("email", "web_form", "post", "managing_body")
MEDICAL_EVERY = 20
ASSIGNEES = [None, None, "camille", "hugo", "agent.3", "agent.4"]
BATCH = 2000


def surnames() -> list[str]:
    return sorted({h + m + t for h in HEADS for m in MIDDLES for t in TAILS})


def base_complaints(now: datetime) -> list[Complaint]:
    """A few complaints built as the system builds them, medical and not, of every channel."""
    built = []
    for index in range(8):
        intake = parse_intake(
            {
                "reference": f"BASE-{index}",
                "channel": CHANNELS[index % 4],
                "sent_on": (now.date() - timedelta(days=index)).isoformat(),
                "complainant": {
                    "name": "Base",
                    "email": "base@example.fr",
                    "postal_address": "1 rue de la Paix\n75002 Paris",
                },
                "subject": "Réclamation du banc d'essai",
                "description": "Texte de la réclamation.",
                "medical": index == 0,
            },
            now.date(),
        )
        built.append(Complaint.open(f"BASE-{index}", intake, plan_complaint(intake, Policy()), now))
    return built


class Person:
    def __init__(self, index: int, names: list[str], rng: random.Random) -> None:
        self.reference = f"REC-{2020 + index % 7}-{index:06d}"
        self.name = f"{rng.choice(FIRST)} {rng.choice(names).capitalize()}"
        self.email = f"client{index}@example.fr"
        self.member = f"MB-{index * 7919 % 10_000_000:07d}"
        self.medical = index % MEDICAL_EVERY == 0


async def fill(url: str, keyring: Keyring, count: int) -> tuple[list[Person], float]:
    """Every complaint's row and tokens; returns them and the seconds taken."""
    rng = random.Random(29)
    names, now = surnames(), datetime.now(UTC)
    bases = base_complaints(now)
    index = BlindIndex(keyring)
    engine = create_engine(url)
    await upgrade(engine)
    sessions = session_factory(engine)
    people = [Person(i, names, rng) for i in range(count)]
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        rows: list[dict[str, Any]] = []
        tokens: list[dict[str, object]] = []
        for person in people[start : start + BATCH]:
            number = int(person.reference[-6:])
            base = bases[0 if person.medical else 1 + number % 7]
            person_intake = base.intake.model_copy(
                update={
                    "complainant": base.intake.complainant.model_copy(
                        update={
                            "name": person.name,
                            "email": person.email,
                            "member_number": person.member,
                        }
                    )
                }
            )
            complaint = base.model_copy(
                update={
                    "reference": person.reference,
                    "intake": person_intake,
                    "assignee": ASSIGNEES[number % len(ASSIGNEES)],
                    "registered_at": now - timedelta(minutes=count - number),
                }
            )
            rows.append(complaint_row(complaint, now, keyring))
            tokens += token_rows(
                index,
                person.reference,
                person.medical,
                person.name,
                person.email,
                person.member,
                complaint.registered_at,
            )
        async with sessions.begin() as session:
            await session.execute(insert(ComplaintRow), rows)
            await session.execute(insert(SearchTokenRow), tokens)
    elapsed = time.perf_counter() - started
    if url.startswith("postgresql"):
        async with engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")
    await engine.dispose()
    return people, elapsed


def typo(word: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(word) - 1)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]  # two letters swapped


# Each kind: who searches, and the text searched for a complaint drawn at random.
KINDS: dict[str, tuple[Role, Callable[[Person, random.Random], str]]] = {
    "référence exacte": (Role.supervisor, lambda p, _r: p.reference),
    "numéro de référence": (Role.supervisor, lambda p, _r: str(int(p.reference[-6:]))),
    "nom et prénom": (Role.supervisor, lambda p, _r: p.name),
    "nom, prénom inversés": (Role.supervisor, lambda p, _r: " ".join(reversed(p.name.split()))),
    "nom avec une faute": (Role.supervisor, lambda p, r: typo(p.name.split()[1], r)),
    "prénom seul (fréquent)": (Role.supervisor, lambda p, _r: p.name.split()[0]),
    "courriel": (Role.supervisor, lambda p, _r: p.email),
    "n° d'adhérent": (Role.supervisor, lambda p, _r: p.member),
    "nom, chargé(e) de clientèle": (Role.agent, lambda p, _r: p.name),
    "nom médical, Médecin Conseil": (Role.medical_advisor, lambda p, _r: p.name),
}


async def measure(
    url: str, keyring: Keyring, people: list[Person], per_kind: int
) -> dict[str, dict[str, float]]:
    engine = create_engine(url)
    sessions = session_factory(engine)
    # The search needs no Temporal: the door is built without a client, which it never uses.
    service = ComplaintService(cast(Client, None), sessions, keyring, "bench")
    rng = random.Random(2026)
    medical = [p for p in people if p.medical]
    others = [p for p in people if not p.medical]
    figures: dict[str, dict[str, float]] = {}
    for kind, (role, text_of) in KINDS.items():
        principal = Principal("camille" if role is Role.agent else "bench", role)
        pool = medical if role is Role.medical_advisor else others
        await service.search(principal, text_of(pool[0], rng))  # warm the connection
        seconds, cpu, empty = [], [], 0
        for _ in range(per_kind):
            text = text_of(rng.choice(pool), rng)
            started, started_cpu = time.perf_counter(), time.process_time()
            result = await service.search(principal, text)
            seconds.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            empty += not result.found
        # The CPU this process spent (SQLite's work included, PostgreSQL's not): on a machine
        # shared with other work, wall time measures the queue for the CPU as much as the search.
        cpu_ms = summary_ms(cpu)
        figures[kind] = {
            **summary_ms(seconds),
            "cpu_p50_ms": cpu_ms["p50_ms"],
            "cpu_p95_ms": cpu_ms["p95_ms"],
            "found_nothing": empty,
        }
    await engine.dispose()
    return figures


async def run(url: str, count: int, per_kind: int) -> dict[str, Any]:
    keyring = Keyring.generate()
    people, fill_seconds = await fill(url, keyring, count)
    load = os.getloadavg()[0]
    figures = await measure(url, keyring, people, per_kind)
    database = database_label(url)
    print(f"\n{database}: {count} complaints written in {fill_seconds:.0f} s")
    print(f"load average before measuring: {load:.1f} on {os.cpu_count()} CPUs")
    columns = ("p50_ms", "p95_ms", "max_ms", "cpu_p50_ms", "cpu_p95_ms", "found_nothing")
    print(f"{'kind':32}" + "".join(f"{c.removesuffix('_ms')[:10]:>11}" for c in columns))
    for kind, f in figures.items():
        print(f"{kind:32}" + "".join(f"{f[c]:>11}" for c in columns))
    worst = max(f["p95_ms"] for f in figures.values())
    print(f"worst p95: {worst} ms (target < 100 ms): {'met' if worst < 100 else 'NOT MET'}")
    return {
        "database": database,
        "complaints": count,
        "load_average": load,
        "kinds": figures,
        "worst_p95_ms": worst,
    }


async def main(count: int, per_kind: int) -> None:
    postgres = os.environ.get("BENCH_POSTGRES_URL")
    with tempfile.TemporaryDirectory(prefix="reclamations-bench-search-") as folder:
        for admin in (None, *([postgres] if postgres else [])):
            async with fresh_database(Path(folder), admin) as url:
                result = await run(url, count, per_kind)
                write_result(f"search-{result['database']}", result)


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(*(arguments + [100_000, 200][len(arguments) :])))
