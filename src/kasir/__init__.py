"""Kasir: point of sale for the Kawasan Terintegrasi UMKM Pemasyarakatan."""

__version__ = "0.1.0"
