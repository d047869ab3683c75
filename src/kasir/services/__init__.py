"""Services: one module per job. Each function takes a Session, does one unit of work and
returns frozen dataclasses. Services never open or commit sessions: the caller does, once per
user action (`with factory.begin() as session:`)."""
