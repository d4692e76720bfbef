"""Mail intake: messages per second taken through the SMTP receiver, each one a complaint with
its evidence and its PDF joined, on the dev server with a worker process, as `make run` runs
them; then the same messages again (each found in the ledger: nothing new).

    python -m bench.mail_intake [N] [CONCURRENCY]
"""

from __future__ import annotations

import asyncio
import sys
import time

import aiosmtplib
from sqlalchemy import func, select

from bench.common import bench_system, database_label, write_result
from reclamations.db.models import ComplaintRow, MailMessageRow
from tests.mail.builders import OWN_DOMAIN, complaint_mail
from tests.processes import free_port


async def receiving(port: int) -> None:
    for _ in range(600):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise SystemExit("le récepteur SMTP ne répond pas")


async def deliver(port: int, messages: list[bytes], limit: int) -> float:
    semaphore = asyncio.Semaphore(limit)

    async def one(raw: bytes) -> None:
        async with semaphore:
            await aiosmtplib.send(
                raw,
                sender="helene.garnier@example.fr",
                recipients=[f"reclamations@{OWN_DOMAIN}"],
                hostname="127.0.0.1",
                port=port,
                timeout=300,
            )

    started = time.perf_counter()
    await asyncio.gather(*(one(raw) for raw in messages))
    return time.perf_counter() - started


async def main(count: int, limit: int) -> None:
    async with bench_system() as bench:
        port = free_port()
        bench.spawn("reclamations.worker")
        bench.spawn(
            "reclamations.mail",
            RECLAMATIONS_MAIL_RECEIVER_PORT=str(port),
            RECLAMATIONS_MAIL_OWN_DOMAINS=f'["{OWN_DOMAIN}"]',
        )
        await receiving(port)
        # One message first: the worker polling, the first complaint planned.
        await deliver(port, [bytes(complaint_mail())], 1)
        messages = [bytes(complaint_mail()) for _ in range(count)]
        size = sum(len(raw) for raw in messages) // count
        first = await deliver(port, messages, limit)
        again = await deliver(port, messages, limit)
        async with bench.sessions() as session:
            taken = await session.scalar(select(func.count()).select_from(MailMessageRow))
            complaints = await session.scalar(select(func.count()).select_from(ComplaintRow))
        figures = {
            "database": database_label(bench.database_url),
            "messages": count,
            "concurrency": limit,
            "message_bytes": size,
            "messages_per_second": round(count / first, 1),
            "duplicates_per_second": round(count / again, 1),
            "ledger_rows": taken,
            "complaints_recorded": complaints,
        }
        print(
            f"{count} courriels de {size} octets, {limit} à la fois : "
            f"{figures['messages_per_second']} courriels/s enregistrés "
            f"(réclamation + message d'origine + PDF), "
            f"{figures['duplicates_per_second']} doublons/s reconnus ; "
            f"{taken} au registre des courriels (dont 1 d'amorce)"
        )
        write_result(f"mail_intake_{figures['database']}", figures)


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(*(arguments or [200]), *([] if len(arguments) > 1 else [8])))
