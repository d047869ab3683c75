#!/usr/bin/env python3
"""Generate the demo product catalog for Kasir (resources/demo/products.csv).

The catalog imitates the stock of the Kawasan Terintegrasi UMKM Pemasyarakatan
in Tangerang: products made by warga binaan of Lapas, Rutan and LPKA all over
Indonesia.  Every product belongs to the UPT (unit pelaksana teknis) that made
it, because each sale is credited to that UPT.

The output is fully deterministic: no randomness, no clock.  Values that look
"varied" (cost ratio, stock, registration numbers) are derived from the SKU
with CRC-32, so running the script twice yields a byte-identical file.

Conventions (see shared/DESIGN.md sections 2 and 5):
- money is whole Rupiah (int); cost is 55-75 % of price, rounded to Rp 500;
- in-store barcodes are EAN-13 in the GS1 restricted-circulation range,
  prefix "20" + a 10-digit product number + check digit; a few products keep
  a manufacturer EAN-13 with the Indonesian prefix 899;
- food fields (shelf_life_days, pirt_number, halal_number) are filled only
  for food; P-IRT numbers are stored as 15 bare digits;
- products sold per kg (unit "kg") have their stock in grams, as the store
  keeps it; their scale-label item codes (PLU) are set by kasir.services.demo.

Usage: python3 make_catalog.py [output.csv]
"""

from __future__ import annotations

import csv
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

HEADER = [
    "sku", "barcode", "name", "category", "unit", "price", "cost", "stock",
    "upt_code", "upt_name", "upt_kind", "upt_region", "shelf_life_days",
    "pirt_number", "halal_number", "active",
]

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "products.csv"


# --------------------------------------------------------------------------
# UPTs
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Upt:
    code: str
    name: str
    kind: str          # Lapas, Rutan or LPKA
    region: str        # province
    province_code: str  # 2-digit BPS province code (used in halal numbers)
    regency_code: str   # 4-digit BPS regency/city code (used in P-IRT numbers)


UPTS = [
    Upt("LPP-TGR", "Lapas Perempuan Kelas IIA Tangerang", "Lapas", "Banten", "36", "3671"),
    Upt("LPM-TGR", "Lapas Pemuda Kelas IIA Tangerang", "Lapas", "Banten", "36", "3671"),
    Upt("LP-TGR", "Lapas Kelas I Tangerang", "Lapas", "Banten", "36", "3671"),
    Upt("LPKA-TGR", "LPKA Kelas I Tangerang", "LPKA", "Banten", "36", "3671"),
    Upt("RTN-TGR", "Rutan Kelas I Tangerang", "Rutan", "Banten", "36", "3671"),
    Upt("LP-SRG", "Lapas Kelas IIA Serang", "Lapas", "Banten", "36", "3673"),
    Upt("LP-CLG", "Lapas Kelas IIA Cilegon", "Lapas", "Banten", "36", "3672"),
    Upt("RTN-PDG", "Rutan Kelas IIB Pandeglang", "Rutan", "Banten", "36", "3601"),
    Upt("LP-CPN", "Lapas Kelas I Cipinang", "Lapas", "DKI Jakarta", "31", "3175"),
    Upt("RTN-JKP", "Rutan Kelas I Jakarta Pusat", "Rutan", "DKI Jakarta", "31", "3171"),
    Upt("LP-CBN", "Lapas Kelas IIA Cibinong", "Lapas", "Jawa Barat", "32", "3201"),
    Upt("LP-SKM", "Lapas Kelas I Sukamiskin Bandung", "Lapas", "Jawa Barat", "32", "3273"),
    Upt("LP-YKA", "Lapas Kelas IIA Yogyakarta", "Lapas", "DI Yogyakarta", "34", "3471"),
    Upt("LP-SMG", "Lapas Kelas I Semarang", "Lapas", "Jawa Tengah", "33", "3374"),
    Upt("LPP-SMG", "Lapas Perempuan Kelas IIA Semarang", "Lapas", "Jawa Tengah", "33", "3374"),
    Upt("LP-CLP", "Lapas Kelas IIB Cilacap", "Lapas", "Jawa Tengah", "33", "3301"),
    Upt("LP-SBY", "Lapas Kelas I Surabaya", "Lapas", "Jawa Timur", "35", "3515"),
    Upt("LP-KRB", "Lapas Kelas IIA Kerobokan", "Lapas", "Bali", "51", "5103"),
    Upt("LP-MKS", "Lapas Kelas I Makassar", "Lapas", "Sulawesi Selatan", "73", "7371"),
    Upt("LP-PKU", "Lapas Kelas IIA Pekanbaru", "Lapas", "Riau", "14", "1471"),
    Upt("LP-MDN", "Lapas Kelas I Medan", "Lapas", "Sumatera Utara", "12", "1275"),
    Upt("LP-AMB", "Lapas Kelas IIA Ambon", "Lapas", "Maluku", "81", "8171"),
]
UPT_BY_CODE = {u.code: u for u in UPTS}


# --------------------------------------------------------------------------
# Products
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """One catalog entry as written by hand below."""
    name: str
    unit: str
    price: int
    upt: str
    shelf_life_days: int | None = None  # None: not a food product
    pirt_type: str | None = None        # 2-digit P-IRT food type; None: no P-IRT
    halal: bool = False
    ean: str | None = None              # manufacturer EAN-13 (12 digits, check added)


def food(name: str, unit: str, price: int, upt: str, shelf: int, ptype: str,
         halal: bool = True, ean: str | None = None) -> Item:
    """A processed food with a P-IRT registration (and usually halal)."""
    return Item(name, unit, price, upt, shelf, ptype, halal, ean)


def fresh(name: str, unit: str, price: int, upt: str, shelf: int) -> Item:
    """Fresh produce: has a shelf life but no P-IRT or halal number."""
    return Item(name, unit, price, upt, shelf)


def goods(name: str, unit: str, price: int, upt: str) -> Item:
    """Non-food goods: the food fields stay empty."""
    return Item(name, unit, price, upt)


# P-IRT food type codes used below (2 digits in the registration number).
PT_MEAT = "01"      # olahan daging kering
PT_FISH = "02"      # olahan ikan kering
PT_EGG = "03"       # olahan unggas (telur asin)
PT_FLOUR = "06"     # tepung dan hasil olahannya (bakery, kue, makaroni)
PT_SUGAR = "09"     # gula, kembang gula, madu
PT_COFFEE = "10"    # kopi, teh kering
PT_SPICE = "11"     # bumbu, sambal
PT_DRINK = "13"     # minuman serbuk
PT_FRUIT = "14"     # olahan buah
PT_GRAIN = "15"     # olahan biji-bijian, kacang, umbi

# Categories in catalog order; the SKU prefix and the digit used in barcodes.
CATEGORIES = {
    "kuliner": ("KUL", 1),
    "kerajinan": ("KRJ", 2),
    "furnitur": ("FUR", 3),
    "pertanian": ("PTN", 4),
    "perikanan": ("PRK", 5),
}

CATALOG: dict[str, list[Item]] = {
    "kuliner": [
        # Women's prison Tangerang: the showroom classics.
        food("Makaroni Keju 250 g", "bungkus", 18000, "LPP-TGR", 90, PT_FLOUR),
        food("Makaroni Keju Pedas 250 g", "bungkus", 18000, "LPP-TGR", 90, PT_FLOUR),
        food("Makaroni Balado 150 g", "bungkus", 12000, "LPP-TGR", 90, PT_FLOUR),
        food("Keripik Bawang 250 g", "bungkus", 20000, "LPP-TGR", 90, PT_FLOUR),
        food("Keripik Bawang Daun Seledri 150 g", "bungkus", 15000, "LPP-TGR", 90, PT_FLOUR),
        food("Bolu Nona Hitam Manis", "pcs", 35000, "LPP-TGR", 5, PT_FLOUR),
        food("Bolu Pandan ½ Loyang", "pcs", 30000, "LPP-TGR", 5, PT_FLOUR),
        food("Nastar Keju 500 g", "toples", 85000, "LPP-TGR", 60, PT_FLOUR),
        food("Kastengel 500 g", "toples", 90000, "LPP-TGR", 60, PT_FLOUR),
        food("Putri Salju 400 g", "toples", 65000, "LPP-TGR", 60, PT_FLOUR),
        food("Rempeyek Kacang 200 g", "bungkus", 17000, "LPP-TGR", 45, PT_GRAIN),
        food("Rempeyek Teri 200 g", "bungkus", 20000, "LPP-TGR", 45, PT_GRAIN),
        food("Sambal Cumi 150 g", "botol", 35000, "LPP-TGR", 60, PT_SPICE),
        food("Sambal Bawang 150 g", "botol", 25000, "LPP-TGR", 60, PT_SPICE),
        # Lapas Pemuda Tangerang: coffee and bakery next door to the showroom.
        food("Jape Coffee Robusta Bubuk 200 g", "bungkus", 45000, "LPM-TGR", 365, PT_COFFEE,
             ean="899721340001"),
        food("Jape Coffee Arabika Bubuk 200 g", "bungkus", 65000, "LPM-TGR", 365, PT_COFFEE),
        food("Jape Coffee House Blend Biji 250 g", "bungkus", 70000, "LPM-TGR", 365, PT_COFFEE,
             ean="899721340002"),
        food("Café Latte Bubuk 200 g", "bungkus", 38000, "LPM-TGR", 365, PT_DRINK),
        food("Roti Tawar Gandum", "pcs", 18000, "LPM-TGR", 4, PT_FLOUR),
        food("Roti Sobek Cokelat", "pcs", 22000, "LPM-TGR", 4, PT_FLOUR),
        food("Roti Manis Isi Kelapa (isi 5)", "pak", 15000, "LPM-TGR", 4, PT_FLOUR),
        food("Donat Gula (isi 6)", "pak", 18000, "LPM-TGR", 3, PT_FLOUR),
        # Lapas Kelas I / Rutan Tangerang.
        food("Tempe Kedelai 500 g", "pcs", 10000, "LP-TGR", 3, PT_GRAIN, halal=False),
        food("Keripik Tempe 200 g", "bungkus", 15000, "LP-TGR", 90, PT_GRAIN),
        food("Bolu Kukus Pelangi (isi 6)", "pak", 20000, "LP-TGR", 4, PT_FLOUR),
        food("Kerupuk Kulit Sapi 200 g", "bungkus", 32000, "RTN-TGR", 120, PT_MEAT),
        food("Kerupuk Bawang Mentah 500 g", "bungkus", 16000, "RTN-TGR", 180, PT_FLOUR),
        food("Keripik Singkong Balado 250 g", "bungkus", 14000, "RTN-TGR", 90, PT_GRAIN),
        food("Keripik Pisang Manis 250 g", "bungkus", 16000, "RTN-TGR", 90, PT_FRUIT,
             halal=False),
        # Banten.
        food("Emping Melinjo Pandeglang 250 g", "bungkus", 32000, "RTN-PDG", 180, PT_GRAIN),
        food("Emping Melinjo Pedas Manis 200 g", "bungkus", 28000, "RTN-PDG", 120, PT_GRAIN),
        food("Gula Aren Cetak 500 g", "bungkus", 25000, "RTN-PDG", 180, PT_SUGAR),
        food("Kopi Robusta Banten Bubuk 250 g", "bungkus", 40000, "LP-SRG", 365, PT_COFFEE),
        food("Sambal Bandeng 150 g", "botol", 30000, "LP-SRG", 60, PT_SPICE),
        food("Kue Jahe Kering 300 g", "toples", 45000, "LP-SRG", 60, PT_FLOUR),
        # Jakarta and Jawa Barat.
        food("Roti Buaya Mini (sepasang)", "set", 60000, "LP-CPN", 4, PT_FLOUR),
        food("Kue Bawang 250 g", "bungkus", 17000, "RTN-JKP", 90, PT_FLOUR),
        food("Kembang Goyang 250 g", "bungkus", 20000, "RTN-JKP", 90, PT_FLOUR),
        food("Kopi Arabika Java Preanger Biji 250 g", "bungkus", 95000, "LP-SKM", 365, PT_COFFEE),
        food("Kopi Arabika Java Preanger Bubuk 200 g", "bungkus", 80000, "LP-SKM", 365, PT_COFFEE),
        food("Madu Hutan Murni 250 ml", "botol", 85000, "LP-CBN", 730, PT_SUGAR,
             ean="899721340003"),
        food("Keripik Talas Bogor 200 g", "bungkus", 18000, "LP-CBN", 90, PT_GRAIN),
        # Jawa Tengah, DIY, Jawa Timur.
        food("Bakpia Kacang Hijau (isi 20)", "pak", 35000, "LP-YKA", 7, PT_FLOUR),
        food("Geplak Bantul 250 g", "bungkus", 20000, "LP-YKA", 30, PT_FRUIT),
        food("Wedang Uwuh Celup (isi 10)", "pak", 25000, "LP-YKA", 365, PT_DRINK),
        food("Kue Kering Lidah Kucing 300 g", "toples", 55000, "LPP-SMG", 60, PT_FLOUR),
        food("Wingko Babat Semarang (isi 10)", "pak", 30000, "LPP-SMG", 7, PT_FLOUR),
        food("Keripik Tempe Sagu 200 g", "bungkus", 15000, "LP-SMG", 90, PT_GRAIN),
        food("Kerupuk Puli 250 g", "bungkus", 14000, "LP-SMG", 120, PT_GRAIN),
        food("Jahe Merah Instan 250 g", "bungkus", 30000, "LP-SBY", 365, PT_DRINK),
        food("Keripik Tempe Porong 200 g", "bungkus", 15000, "LP-SBY", 90, PT_GRAIN),
        food("Kopi Robusta Dampit Bubuk 200 g", "bungkus", 42000, "LP-SBY", 365, PT_COFFEE),
        # Luar Jawa.
        food("Kopi Bali Kintamani Arabika 200 g", "bungkus", 75000, "LP-KRB", 365, PT_COFFEE,
             halal=False),
        food("Pie Susu Bali (isi 10)", "pak", 35000, "LP-KRB", 14, PT_FLOUR, halal=False),
        food("Kopi Toraja Arabika Biji 250 g", "bungkus", 90000, "LP-MKS", 365, PT_COFFEE),
        food("Kacang Disko Makassar 250 g", "bungkus", 25000, "LP-MKS", 90, PT_GRAIN),
        food("Keripik Nenas Riau 100 g", "bungkus", 25000, "LP-PKU", 180, PT_FRUIT),
        food("Bolu Kemojo Pekanbaru", "pcs", 35000, "LP-PKU", 4, PT_FLOUR),
        food("Kopi Arabika Gayo – Roasted 250 g", "bungkus", 95000, "LP-MDN", 365, PT_COFFEE),
        food("Kopi Sidikalang Robusta Bubuk 250 g", "bungkus", 50000, "LP-MDN", 365, PT_COFFEE),
        food("Bika Ambon Medan", "pcs", 35000, "LP-MDN", 4, PT_FLOUR),
        food("Sirup Markisa 620 ml", "botol", 45000, "LP-MDN", 365, PT_FRUIT),
    ],
    "kerajinan": [
        goods("Tas Jeans Handmade Tote", "pcs", 125000, "LPP-TGR"),
        goods("Tas Jeans Handmade Selempang", "pcs", 95000, "LPP-TGR"),
        goods("Dompet Jeans Patchwork", "pcs", 45000, "LPP-TGR"),
        goods("Pouch Kosmetik Jeans", "pcs", 35000, "LPP-TGR"),
        goods("Taplak Meja Sulam Pita", "lembar", 120000, "LPP-TGR"),
        goods("Mukena Bordir Dewasa", "set", 250000, "LPP-TGR"),
        goods("Kaos Sablon \"Kesempatan Kedua\"", "pcs", 75000, "LPKA-TGR"),
        goods("Kaos Sablon Motif Tangerang", "pcs", 75000, "LPKA-TGR"),
        goods("Gantungan Kunci Kayu Ukir", "pcs", 15000, "LPKA-TGR"),
        goods("Gantungan Kunci Resin", "pcs", 12000, "LPKA-TGR"),
        goods("Lukisan Cat Akrilik 40x60 cm", "pcs", 450000, "LPKA-TGR"),
        goods("Kaos Polo Bordir Logo", "pcs", 110000, "LPM-TGR"),
        goods("Keset Kain Perca", "pcs", 25000, "RTN-TGR"),
        goods("Batik Tulis Motif Kaserangan", "lembar", 450000, "LP-SRG"),
        goods("Batik Cap Motif Banten", "lembar", 175000, "LP-SRG"),
        goods("Anyaman Pandan Tas Belanja", "pcs", 65000, "RTN-PDG"),
        goods("Miniatur Kapal Phinisi Kayu 60 cm", "pcs", 650000, "LP-CPN"),
        goods("Miniatur Kapal Layar 40 cm", "pcs", 350000, "LP-CPN"),
        goods("Lukisan Kaligrafi Bingkai 50x70 cm", "pcs", 600000, "LP-CPN"),
        goods("Miniatur Bajaj Kaleng Bekas", "pcs", 85000, "RTN-JKP"),
        goods("Tas Rajut Benang Nilon", "pcs", 85000, "RTN-JKP"),
        goods("Sandal Kulit Pria", "pcs", 150000, "LP-SKM"),
        goods("Sepatu Kulit Pantofel", "pcs", 350000, "LP-SKM"),
        goods("Ikat Pinggang Kulit Sapi", "pcs", 120000, "LP-SKM"),
        goods("Sandal Jepit Karet Sablon", "pcs", 25000, "LP-CBN"),
        goods("Batik Tulis Motif Parang", "lembar", 650000, "LP-YKA"),
        goods("Batik Tulis Motif Kawung", "lembar", 550000, "LP-YKA"),
        goods("Wayang Kulit Arjuna", "pcs", 400000, "LP-YKA"),
        goods("Batik Tulis Semarangan Motif Asem", "lembar", 500000, "LPP-SMG"),
        goods("Kemeja Batik Cap Pria", "pcs", 185000, "LPP-SMG"),
        goods("Ukiran Kayu Jati Kaligrafi", "pcs", 750000, "LP-SMG"),
        goods("Anyaman Bambu Keranjang Parsel", "pcs", 45000, "LP-SBY"),
        goods("Tempat Tisu Anyaman Rotan", "pcs", 55000, "LP-SBY"),
        goods("Patung Kayu Garuda 30 cm", "pcs", 350000, "LP-KRB"),
        goods("Lukisan Kanvas Pemandangan Bali 60x90 cm", "pcs", 850000, "LP-KRB"),
        goods("Kain Tenun Endek Bali", "lembar", 400000, "LP-KRB"),
        goods("Kaos Sablon Bali Barong", "pcs", 85000, "LP-KRB"),
        goods("Sarung Sutera Bugis", "lembar", 450000, "LP-MKS"),
        goods("Kain Tenun Songket Melayu", "lembar", 750000, "LP-PKU"),
        goods("Kain Ulos Tenun Batak", "lembar", 350000, "LP-MDN"),
        goods("Tas Anyaman Rotan Bulat", "pcs", 175000, "LP-MDN"),
        goods("Kerajinan Kulit Kerang Bingkai Foto", "pcs", 60000, "LP-AMB"),
    ],
    "furnitur": [
        goods("Kursi Kayu Jati Minimalis", "pcs", 850000, "LP-TGR"),
        goods("Meja Makan Kayu Mahoni 4 Kursi", "set", 3500000, "LP-TGR"),
        goods("Rak Buku Kayu Jati 5 Susun", "pcs", 1250000, "LP-TGR"),
        goods("Bangku Panjang Kayu Mahoni", "pcs", 750000, "LP-TGR"),
        goods("Lemari Pakaian 2 Pintu Mahoni", "pcs", 2750000, "LP-CPN"),
        goods("Meja Kerja Kayu Jati 120 cm", "pcs", 1850000, "LP-CPN"),
        goods("Kursi Tamu Jati Ukir (1+2+1 Meja)", "set", 4500000, "LP-CPN"),
        goods("Rak Sepatu Kayu Pinus", "pcs", 550000, "RTN-JKP"),
        goods("Meja Belajar Anak Kayu", "pcs", 650000, "LPKA-TGR"),
        goods("Kursi Rotan Teras", "pcs", 950000, "LP-CBN"),
        goods("Meja Tamu Rotan Kaca", "pcs", 1100000, "LP-CBN"),
        goods("Kursi Malas Kayu Jati", "pcs", 1650000, "LP-SKM"),
        goods("Lemari Hias Kaca Jati", "pcs", 3750000, "LP-SMG"),
        goods("Meja Makan Jati Jepara 6 Kursi", "set", 4500000, "LP-SMG"),
        goods("Nakas Kayu Jati 2 Laci", "pcs", 750000, "LP-SMG"),
        goods("Rak Dinding Jati Minimalis", "pcs", 500000, "LP-SMG"),
        goods("Kursi Lipat Kayu Mahoni", "pcs", 550000, "LP-SBY"),
        goods("Lemari Pakaian 3 Pintu Jati", "pcs", 4250000, "LP-SBY"),
        goods("Meja Rias Kayu Mahoni", "pcs", 1450000, "LP-SBY"),
        goods("Meja Kopi Kayu Trembesi", "pcs", 1350000, "LP-KRB"),
        goods("Kursi Bar Kayu Jati", "pcs", 600000, "LP-KRB"),
        goods("Bufet TV Kayu Jati 150 cm", "pcs", 2250000, "LP-MKS"),
        goods("Rak Piring Kayu Mahoni", "pcs", 650000, "LP-MDN"),
    ],
    "pertanian": [
        fresh("Beras Pandan Wangi", "kg", 16000, "RTN-PDG", 180),
        fresh("Beras Merah Organik", "kg", 22000, "RTN-PDG", 180),
        fresh("Beras Premium 5 kg", "bungkus", 78000, "LP-SRG", 180),
        fresh("Selada Hidroponik 250 g", "pak", 12000, "LPM-TGR", 5),
        fresh("Pakcoy Hidroponik 250 g", "pak", 10000, "LPM-TGR", 5),
        fresh("Kangkung Hidroponik 250 g", "pak", 8000, "LPKA-TGR", 3),
        fresh("Sawi Hidroponik 250 g", "pak", 9000, "LPKA-TGR", 5),
        fresh("Jamur Tiram Segar 500 g", "pak", 15000, "LP-CBN", 4),
        food("Keripik Jamur Tiram 100 g", "bungkus", 18000, "LP-CBN", 90, PT_GRAIN),
        fresh("Telur Ayam Kampung (isi 10)", "pak", 30000, "LP-CBN", 14),
        food("Telur Asin Brebes (isi 10)", "pak", 45000, "LP-SMG", 21, PT_EGG),
        food("Telur Asin Panggang", "pcs", 5000, "LP-SMG", 21, PT_EGG),
        fresh("Cabai Rawit Merah 250 g", "pak", 15000, "RTN-TGR", 7),
        fresh("Tomat Segar", "kg", 14000, "RTN-TGR", 7),
        food("Jahe Bubuk 100 g", "bungkus", 20000, "LP-YKA", 365, PT_SPICE),
        fresh("Pisang Cavendish", "kg", 20000, "LP-SBY", 5),
        goods("Bibit Cabai Polybag", "pcs", 5000, "LPKA-TGR"),
        goods("Bibit Jeruk Nipis 50 cm", "pcs", 25000, "LP-CBN"),
        goods("Bibit Tanaman Lidah Mertua", "pcs", 20000, "LP-CBN"),
        goods("Bibit Alpukat Miki Okulasi", "pcs", 45000, "LP-SKM"),
        goods("Pupuk Kompos Organik 5 kg", "bungkus", 15000, "LP-SKM"),
        goods("Media Tanam Sekam Bakar 5 kg", "bungkus", 12000, "RTN-PDG"),
        food("Madu Kelulut 250 ml", "botol", 95000, "LP-PKU", 730, PT_SUGAR),
        food("Gula Semut Aren 250 g", "bungkus", 22000, "RTN-PDG", 365, PT_SUGAR),
    ],
    "perikanan": [
        food("Bandeng Presto Serang (isi 2)", "pak", 40000, "LP-SRG", 7, PT_FISH),
        food("Sate Bandeng Banten", "pcs", 35000, "LP-SRG", 3, PT_FISH),
        food("Lele Asap 250 g", "pak", 35000, "LP-SRG", 30, PT_FISH),
        food("Ikan Asin Jambal Roti 250 g", "pak", 45000, "LP-CLG", 180, PT_FISH),
        food("Ikan Asin Teri Nasi 250 g", "pak", 40000, "LP-CLG", 180, PT_FISH),
        food("Kerupuk Ikan Tenggiri 250 g", "bungkus", 25000, "LP-CLG", 180, PT_FISH),
        food("Abon Ikan Tuna 100 g", "bungkus", 30000, "LP-CLG", 120, PT_FISH),
        fresh("Ikan Lele Segar", "kg", 25000, "LP-CBN", 2),
        fresh("Ikan Nila Segar", "kg", 35000, "LP-CBN", 2),
        food("Lele Krispi 200 g", "bungkus", 25000, "LP-CBN", 90, PT_FISH),
        food("Bandeng Presto Semarang (isi 2)", "pak", 45000, "LPP-SMG", 7, PT_FISH),
        food("Otak-otak Bandeng", "pcs", 30000, "LPP-SMG", 3, PT_FISH),
        food("Ikan Asin Cucut 250 g", "pak", 30000, "LP-CLP", 180, PT_FISH),
        food("Rebon Kering 250 g", "pak", 25000, "LP-CLP", 180, PT_FISH),
        food("Kerupuk Udang Cilacap 250 g", "bungkus", 28000, "LP-CLP", 180, PT_FISH),
        food("Ikan Patin Salai 250 g", "pak", 55000, "LP-PKU", 60, PT_FISH),
        food("Ikan Cakalang Fufu", "pcs", 40000, "LP-AMB", 14, PT_FISH),
        food("Abon Ikan Cakalang 100 g", "bungkus", 35000, "LP-AMB", 120, PT_FISH),
        food("Ikan Asin Tongkol 250 g", "pak", 30000, "LP-MKS", 180, PT_FISH),
        food("Abon Ikan Bandeng 100 g", "bungkus", 32000, "LP-MKS", 120, PT_FISH,
             halal=False),
        fresh("Udang Vaname Segar", "kg", 95000, "LP-SBY", 2),
        food("Terasi Udang 200 g", "bungkus", 20000, "LP-SBY", 365, PT_FISH),
    ],
}

# Products sold out at generation time, and products no longer sold.
OUT_OF_STOCK = {"KUL-0010", "KRJ-0028", "PRK-0021"}
INACTIVE = {"KUL-0021", "KRJ-0020"}

# Furniture is bulky: the showroom holds only a few of each.
FURNITURE_MAX_STOCK = 8


# --------------------------------------------------------------------------
# Derived values
# --------------------------------------------------------------------------

def ean13_check_digit(first12: str) -> str:
    """Standard EAN-13 check digit: weights 1,3,1,3,... from the left."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError(f"need 12 digits, got {first12!r}")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def ean13(first12: str) -> str:
    return first12 + ean13_check_digit(first12)


def spread(key: str, salt: str, n: int) -> int:
    """Deterministic pseudo-random integer in range(n) derived from a key."""
    return zlib.crc32(f"{salt}:{key}".encode()) % n


def round_to(value: int, step: int) -> int:
    """Round a non-negative integer to the nearest multiple of step (half up)."""
    return (value + step // 2) // step * step


COST_PCT_MIN, COST_PCT_MAX = 55, 75


def cost_for(sku: str, price: int) -> int:
    """Cost of goods: 55-75 % of price, rounded to Rp 500.

    Rounding may not push the ratio out of the band: the result is clamped to
    the multiples of 500 that lie inside it (every price here has some).
    """
    pct = COST_PCT_MIN + spread(sku, "cost", COST_PCT_MAX - COST_PCT_MIN + 1)
    lowest = -(-price * COST_PCT_MIN // (100 * 500)) * 500  # ceiling
    highest = price * COST_PCT_MAX // (100 * 500) * 500     # floor
    if lowest > highest:
        raise ValueError(f"{sku}: no cost in the band for price {price}")
    return min(max(round_to(price * pct // 100, 500), lowest), highest)


def stock_for(sku: str, category: str) -> int:
    if sku in OUT_OF_STOCK:
        return 0
    if category == "furnitur":
        return 1 + spread(sku, "stock", FURNITURE_MAX_STOCK)
    return 5 + spread(sku, "stock", 196)  # 5..200


def pirt_number(upt: Upt, ptype: str, seq: int) -> str:
    """15-digit P-IRT number, printed in practice as 2063671010123-29.

    Layout: packaging (1) + food type (2) + regency code (4) + product number
    within the producer (2) + producer number (4) + validity year (2).
    """
    packaging = "2"  # plastic
    producer = f"{100 + 37 * UPTS.index(upt):04d}"
    year = f"{27 + spread(upt.code, 'pirt-year', 4):02d}"
    number = f"{packaging}{ptype}{upt.regency_code}{seq:02d}{producer}{year}"
    assert len(number) == 15, number
    return number


def halal_number(upt: Upt) -> str:
    """Halal certificate number of the UPT's kitchen, like ID36110000123450824.

    Layout: "ID" + province code (2) + "11" + serial (9) + month/year (MMYY).
    One certificate covers all certified products of one UPT.
    """
    serial = 100000 + spread(upt.code, "halal", 900000)
    month = 1 + spread(upt.code, "halal-month", 12)
    year = 23 + spread(upt.code, "halal-year", 3)
    number = f"ID{upt.province_code}11{serial:09d}{month:02d}{year:02d}"
    assert len(number) == 19, number
    return number


def build_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    pirt_seq: dict[str, int] = {}  # P-IRT product counter per UPT
    for category, items in CATALOG.items():
        prefix, cat_digit = CATEGORIES[category]
        for seq, item in enumerate(items, start=1):
            sku = f"{prefix}-{seq:04d}"
            upt = UPT_BY_CODE[item.upt]
            if item.ean is not None:
                barcode = ean13(item.ean)
            else:
                # "20" + 10-digit product number (category digit + sequence).
                barcode = ean13(f"20{cat_digit * 10000 + seq:010d}")
            pirt = ""
            if item.pirt_type is not None:
                pirt_seq[upt.code] = pirt_seq.get(upt.code, 0) + 1
                pirt = pirt_number(upt, item.pirt_type, pirt_seq[upt.code])
            rows.append({
                "sku": sku,
                "barcode": barcode,
                "name": item.name,
                "category": category,
                "unit": item.unit,
                "price": item.price,
                "cost": cost_for(sku, item.price),
                # A kg product's stock is kept in grams (kasir.domain.measure).
                "stock": stock_for(sku, category) * (1000 if item.unit == "kg" else 1),
                "upt_code": upt.code,
                "upt_name": upt.name,
                "upt_kind": upt.kind,
                "upt_region": upt.region,
                "shelf_life_days": item.shelf_life_days if item.shelf_life_days else "",
                "pirt_number": pirt,
                "halal_number": halal_number(upt) if item.halal else "",
                "active": 0 if sku in INACTIVE else 1,
            })
    return rows


def validate(rows: list[dict[str, object]]) -> None:
    """Fail loudly if the hand-written catalog breaks a catalog rule.

    Plain asserts: this is a developer tool, run without -O.
    """
    skus = [r["sku"] for r in rows]
    barcodes = [r["barcode"] for r in rows]
    assert len(set(skus)) == len(skus), "duplicate SKU"
    assert len(set(barcodes)) == len(barcodes), "duplicate barcode"
    assert len({r["name"] for r in rows}) == len(rows), "duplicate name"
    assert OUT_OF_STOCK.issubset(skus) and INACTIVE.issubset(skus), "unknown SKU in sets"
    for r in rows:
        code = str(r["barcode"])
        assert len(code) == 13 and ean13(code[:12]) == code, r
        price, cost = int(r["price"]), int(r["cost"])  # type: ignore[call-overload]
        assert price > 0 and price % 500 == 0, r
        assert cost % 500 == 0, r
        assert price * COST_PCT_MIN <= cost * 100 <= price * COST_PCT_MAX, r
        assert r["unit"] in {"pcs", "bungkus", "botol", "kg", "pak", "set", "lembar",
                             "toples"}, r


def write_csv(rows: list[dict[str, object]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUTPUT
    rows = build_rows()
    validate(rows)
    write_csv(rows, out)
    print(f"wrote {len(rows)} products from {len({r['upt_code'] for r in rows})} UPTs to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
