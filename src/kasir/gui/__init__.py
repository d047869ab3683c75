"""The Qt (PySide6) GUI. The only package that imports Qt; it calls services, never the
database directly."""
