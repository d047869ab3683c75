"""Demo data: the demo catalog from resources/, one user per role, two counters."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kasir.domain.qris import build_static_example
from kasir.errors import UserError
from kasir.resources import resources_dir
from kasir.services.auth import create_user
from kasir.services.catalog import count_products, ensure_counter
from kasir.services.catalog_io import import_products
from kasir.settings import set_setting
from kasir.store.models import User

# (username, full name, role, PIN, NIP). Documented in the README.
DEMO_USERS = (
    ("kasir1", "Siti Rahmawati", "kasir", "1111", None),
    ("kasir2", "Rudi Hartono", "kasir", "1212", None),
    ("spv1", "Budi Santoso", "supervisor", "2222", "198703152010121002"),
    ("manajer", "Dewi Lestari", "manajer", "3333", "197905202005012001"),
    ("gudang", "Agus Pratama", "gudang", "4444", None),
)
DEMO_COUNTERS = ("K01", "K02")


@dataclass(frozen=True)
class DemoResult:
    products: int
    upts: int
    users: int


def load_demo_data(session: Session) -> DemoResult:
    """Fill an empty store; refuses a store that already has products or users."""
    if count_products(session) or session.scalar(select(User.id).limit(1)) is not None:
        raise UserError("Toko ini sudah berisi data; data demo hanya dimuat ke toko kosong.")
    path = resources_dir() / "demo" / "products.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        result = import_products(session, fh, source="katalog demo")
    for username, full_name, role, pin, nip in DEMO_USERS:
        create_user(session, username, full_name, role, pin, nip)
    for code in DEMO_COUNTERS:
        ensure_counter(session, code)
    set_setting(session, "qris_static", build_static_example())
    return DemoResult(products=result.products, upts=result.new_upts, users=len(DEMO_USERS))


def has_data(session: Session) -> bool:
    return count_products(session) > 0
