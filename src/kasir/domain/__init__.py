"""Pure domain rules of Kasir (barcodes, QRIS payloads...): no Qt, no database, no I/O."""
