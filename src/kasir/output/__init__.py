"""What leaves the store: receipts, labels, reports. Imports no Qt."""
