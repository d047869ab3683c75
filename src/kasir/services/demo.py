"""Demo data: the demo catalog from resources/, one user per role, two counters."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session

from kasir.domain.qris import build_static_example
from kasir.domain.scale_label import DEFAULT_LAYOUT, encode, parse_layout
from kasir.errors import UserError
from kasir.resources import resources_dir
from kasir.services.auth import create_user
from kasir.services.catalog import count_products, ensure_counter
from kasir.services.catalog_io import import_products
from kasir.settings import set_setting
from kasir.store.models import Product, User

# (username, full name, role, PIN, NIP). Documented in the README.
DEMO_USERS = (
    ("kasir1", "Siti Rahmawati", "kasir", "1111", None),
    ("kasir2", "Rudi Hartono", "kasir", "1212", None),
    ("spv1", "Budi Santoso", "supervisor", "2222", "198703152010121002"),
    ("manajer", "Dewi Lestari", "manajer", "3333", "197905202005012001"),
    ("gudang", "Agus Pratama", "gudang", "4444", None),
    ("admin", "Admin Sistem", "admin", "5555", None),
)
# The demo's documented PINs are 4 digits, short to type in a try-out; a user made or reset
# in a real store needs kasir.services.auth.NEW_PIN_MIN.
DEMO_PIN_MIN = 4
DEMO_COUNTERS = ("K01", "K02")
# The demo's products sold per kg and the item code (PLU) their scale labels carry. Migration
# 0005 gives the same PLUs to a demo store made before it.
DEMO_PLU = {
    "PTN-0001": 1,  # Beras Pandan Wangi, Rp 16.000/kg
    "PTN-0002": 2,  # Beras Merah Organik, Rp 22.000/kg
    "PTN-0014": 14,  # Tomat Segar, Rp 14.000/kg
    "PTN-0016": 16,  # Pisang Cavendish, Rp 20.000/kg
    "PRK-0008": 108,  # Ikan Lele Segar, Rp 25.000/kg
    "PRK-0009": 109,  # Ikan Nila Segar, Rp 35.000/kg
    "PRK-0021": 121,  # Udang Vaname Segar, Rp 95.000/kg (out of stock in the demo)
}


@dataclass(frozen=True)
class LabelExample:
    code: str
    text: str  # what a cashier sees, in Indonesian


def scale_label_examples(layout: str = DEFAULT_LAYOUT) -> tuple[LabelExample, ...]:
    """Scale labels for the demo catalog (default settings: prefix 21 = price, 26 = weight),
    as listed in resources/demo/scale_labels.txt."""
    lay = parse_layout(layout)
    return (
        LabelExample(encode(26, 108, 1300, lay), "Ikan Lele Segar, berat 1,3 kg = Rp 32.500"),
        LabelExample(encode(21, 109, 29750, lay), "Ikan Nila Segar, harga Rp 29.750 = 0,85 kg"),
        LabelExample(encode(26, 14, 750, lay), "Tomat Segar, berat 0,75 kg = Rp 10.500"),
        LabelExample(encode(21, 1, 40000, lay), "Beras Pandan Wangi, harga Rp 40.000 = 2,5 kg"),
        LabelExample(encode(26, 16, 1235, lay), "Pisang Cavendish, berat 1,235 kg = Rp 24.700"),
        LabelExample(encode(21, 121, 47500, lay), "Udang Vaname Segar, harga Rp 47.500 = 0,5 kg"),
    )


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
    _set_demo_plu(session)
    for username, full_name, role, pin, nip in DEMO_USERS:
        create_user(session, username, full_name, role, pin, nip, pin_min=DEMO_PIN_MIN)
    for code in DEMO_COUNTERS:
        ensure_counter(session, code)
    set_setting(session, "qris_static", build_static_example())
    return DemoResult(products=result.products, upts=result.new_upts, users=len(DEMO_USERS))


def _set_demo_plu(session: Session) -> None:
    conn = session.connection()
    if "plu" not in {c["name"] for c in inspect(conn).get_columns("product")}:
        return  # a store before migration 0005 (the tests of older migrations make some)
    for sku, plu in DEMO_PLU.items():
        session.execute(update(Product).where(Product.sku == sku).values(plu=plu))


def has_data(session: Session) -> bool:
    return count_products(session) > 0
