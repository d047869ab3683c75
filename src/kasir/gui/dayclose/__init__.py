"""The day-close wizard for managers (issue 19): its steps are kasir.flows.dayclose."""
